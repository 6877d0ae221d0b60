import type { Principal } from '@cairn/auth';
import { DomainError, forbidden, hasCapability } from '@cairn/contracts';
import type { Page } from '@cairn/http';
import { refusal } from '../domain/refusal';
import type { AccessAuditEntry, AccessAuditQuery, AuditFilter } from '../projections/access-audit.projection';
import type { AccessTimelines } from '../projections/access-intervals.projection';
import { nameAt, type DirectoryNamesQuery, type HistoryPoint, type PersonName } from '../projections/directory-names.projection';
import { accessAt, peopleMentionedIn, type AccessAt, type ProjectTimeline } from '../projections/point-in-time-access';
import type { EventStore } from '@cairn/event-store';
import type { AuditSigner } from '../domain/audit-bundle/audit-chain';
import { describeVerification, previewShown, verifyProjectChain } from './access-history-check';
import { describeSignatures, describeWriteTimeSignatures, exportAuditBundle, verifyAuditBundle, type AuditBundle } from './audit-bundle';
import { MissingSigningKeyError } from './audit-signing-key';
import type { UserDirectory } from './user-directory';

/** The capability that makes someone an auditor of one project: whoever manages its access. */
const AUDITOR_CAPABILITY = 'access.manage';

/** An access change as an auditor reads it, with the names of everyone it mentions as they were known then. */
export type NamedAuditEntry = AccessAuditEntry & { names: Record<string, PersonName> };

export interface HistoryRequest {
  project?: string;
  /** userRefs: user id, username or e-mail address. */
  user?: string;
  actor?: string;
  from?: Date;
  to?: Date;
}

/**
 * The access history for auditors, from the `access_audit` and `access_intervals` read models. Facility
 * admins read everything; a project's history is also open to those whose role on it manages access
 * (owners and managers in the shipped schemes). That role is taken from `access_intervals` "at now",
 * the same model that answers the question: a read that must not precede a just-made change sends
 * `Cairn-Min-Position`.
 *
 * Answers name people as the lab directories knew them at the point in question (`directory_names`);
 * someone no lab has named is named as the user directory knows them from their sign-in.
 */
export class AccessAuditService {
  constructor(
    private readonly timelines: AccessTimelines,
    private readonly audit: AccessAuditQuery,
    private readonly names: DirectoryNamesQuery,
    private readonly directory: UserDirectory,
    private readonly store: EventStore,
    /** Where its signatures come from; asked only when a bundle is made, so a service without a key still serves the rest. */
    private readonly bundles: { signer: () => AuditSigner; eventStore: AuditBundle['eventStore'] },
  ) {}

  async history(principal: Principal, request: HistoryRequest, limit: number, cursor?: string): Promise<Page<NamedAuditEntry>> {
    let project: AuditFilter['project'];
    if (request.project !== undefined) {
      const timeline = await this.auditedTimeline(principal, request.project);
      project = {
        id: timeline.project,
        ...(timeline.scheme.hasBaseLevel && { lab: timeline.lab, since: timeline.createdPosition }),
      };
    } else if (!principal.isFacilityAdmin) {
      throw forbidden(
        'audit.project-required',
        'Only facility admins read the access history of every project; name a project whose access you manage with ?project= (rule audit.project-required).',
      );
    }
    const filter: AuditFilter = {
      ...(project && { project }),
      ...(request.user !== undefined && { user: await this.userIdOf(request.user) }),
      ...(request.actor !== undefined && { actor: await this.userIdOf(request.actor) }),
      ...(request.from && { from: request.from }),
      ...(request.to && { to: request.to }),
    };
    const page = await this.audit.history(filter, limit, cursor);
    const mentionedIn = (entry: AccessAuditEntry) => [entry.actor, ...entry.users];
    const nameOf = await this.namer(page.items.flatMap(mentionedIn));
    return {
      ...page,
      items: page.items.map((entry) => ({
        ...entry,
        names: Object.fromEntries(namesOf(mentionedIn(entry), (userId) => nameOf(userId, { position: entry.position }))),
      })),
    };
  }

  /** Who had which role on the project at `at`, and why, naming people as they were known at `at`. */
  async accessAt(principal: Principal, project: string, at: Date): Promise<AccessAt> {
    const timeline = await this.auditedTimeline(principal, project);
    const mentioned = peopleMentionedIn(accessAt(timeline, at));
    const nameOf = await this.namer(mentioned);
    return accessAt(timeline, at, namesOf(mentioned, (userId) => nameOf(userId, { at })));
  }

  /** How to name these people at a point of the history. */
  private async namer(userIds: string[]): Promise<(userId: string, point: HistoryPoint) => PersonName | undefined> {
    const records = await this.names.recordsOf(userIds);
    const signedIn = await this.directory.entriesOf(userIds.filter((userId) => !records.has(userId)));
    return (userId, point) => {
      const recorded = records.get(userId);
      if (recorded) return nameAt(recorded, point);
      const entry = signedIn.get(userId);
      return entry && { username: entry.username, displayName: entry.displayName };
    };
  }

  /**
   * `audit verify` for the project's auditors: its access stream's hash chain, read from the event store,
   * the verdict in words, and the state of the signatures an audit bundle exported now would carry.
   */
  async verify(principal: Principal, project: string) {
    await this.auditedTimeline(principal, project);
    const verification = await verifyProjectChain(this.store, project);
    return { project, ...verification, summary: describeVerification(project, verification), ...(await this.signatureState(project)) };
  }

  /** `audit export` for the project's auditors: the signed bundle docs/audit-bundle.md describes. */
  async bundle(principal: Principal, project: string, instants: Date[]): Promise<AuditBundle> {
    await this.auditedTimeline(principal, project);
    return exportAuditBundle({ store: this.store, eventStore: this.bundles.eventStore, project, instants, signer: this.signer() });
  }

  private signer(): AuditSigner {
    try {
      return this.bundles.signer();
    } catch (error) {
      if (error instanceof MissingSigningKeyError) throw refusal('conflict', 'audit.no-signing-key', `this platform cannot sign audit bundles: ${error.message}`);
      throw error;
    }
  }

  /**
   * The signatures of a bundle exported now, checked against the service's own public key, in words:
   * those made at export, and per stream those the access service made as it committed.
   */
  private async signatureState(project: string): Promise<{ signatures: string; signedAtWrite: string[] }> {
    let signer: AuditSigner;
    try {
      signer = this.bundles.signer();
    } catch (error) {
      if (error instanceof MissingSigningKeyError) return { signatures: `Not signed: ${error.message}.`, signedAtWrite: [] };
      throw error;
    }
    const bundle = await exportAuditBundle({ store: this.store, eventStore: this.bundles.eventStore, project, instants: [], signer });
    const verification = verifyAuditBundle(bundle, [signer.key]);
    return { signatures: describeSignatures(verification, "the platform's current signing key"), signedAtWrite: describeWriteTimeSignatures(bundle, verification) };
  }

  /** The preview a recorded change cites, as it was shown, with the people named. */
  async previewShown(principal: Principal, project: string, previewId: string) {
    await this.auditedTimeline(principal, project);
    const shown = await previewShown(this.store, project, previewId);
    const names = await this.directory.entriesOf(shown.effects.map((effect) => effect.user));
    return {
      ...shown,
      effects: shown.effects.map((effect) => {
        const entry = names.get(effect.user);
        return { ...effect, username: entry?.username ?? effect.user, displayName: entry?.displayName ?? effect.user };
      }),
    };
  }

  private async auditedTimeline(principal: Principal, project: string): Promise<ProjectTimeline> {
    const unknown = () =>
      refusal(
        'not-found',
        'audit.project-unknown',
        `there is no project ${project} in the access history (yet: a project just created is waited for with Cairn-Min-Position)`,
      );
    const timeline = await this.timelines.projectTimeline(project);
    if (!timeline) throw unknown();
    if (principal.isFacilityAdmin) return timeline;
    const { scheme } = timeline;
    const mine = accessAt(timeline, new Date()).people.find((person) => person.user === principal.userId);
    if (mine && hasCapability(scheme, mine.role, AUDITOR_CAPABILITY)) return timeline;
    // A project one cannot see answers as one that does not exist (project ids can be guessed).
    if (!mine || !hasCapability(scheme, mine.role, 'project.read')) throw unknown();
    const auditors = scheme.roles.filter((role) => hasCapability(scheme, role, AUDITOR_CAPABILITY));
    throw refusal(
      'forbidden',
      'audit.needs-access-manage',
      `the access history of project ${project} is open to facility admins and to those whose role manages its access (${auditors.join(', ')}); your role on it is ${mine?.role ?? 'none'}`,
    );
  }

  /** A filter names people as users do; someone the directory does not know is taken as a user id. */
  private async userIdOf(userRef: string): Promise<string> {
    try {
      return (await this.directory.resolve(userRef)).userId;
    } catch (error) {
      if (error instanceof DomainError && error.kind === 'not-found') return userRef;
      throw error;
    }
  }
}

/** The names of these people that are known, by user id. */
function namesOf(userIds: Iterable<string>, nameOf: (userId: string) => PersonName | undefined): Map<string, PersonName> {
  const names = new Map<string, PersonName>();
  for (const userId of userIds) {
    const name = nameOf(userId);
    if (name) names.set(userId, name);
  }
  return names;
}
