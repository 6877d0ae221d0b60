import { capabilitiesOf, foldEvents, type CairnEvent, type LabEvent, type ProjectAccessEvent, type Role } from '@cairn/contracts';
import type { EventStore } from '@cairn/event-store';
import { accessEffects, explainAccess, labDecider, projectAccessDecider, verifyChain, type ChainVerification, type Lab, type ProjectAccess, type UserAccessChange } from '../domain';
import { refusal } from '../domain/refusal';
import type { AccessTimelines } from '../projections/access-intervals.projection';
import { accessAt } from '../projections/point-in-time-access';
import { labStream } from './labs.service';
import { projectAccessStream } from './project-access.service';

/**
 * The auditor's checks behind `npm run cairn -- audit replay|verify`: they read the project's access
 * stream (and its lab's) straight from the event store, never a read model, so they can vouch for one.
 */

/** One person's access as both sides can state it. */
export interface StatedAccess {
  user: string;
  role: Role;
  via: 'explicit' | 'base-level';
  grantedBy?: string;
  grantedAt?: string;
  reason?: string;
}

export interface ReplayReport {
  project: string;
  lab: string;
  scheme: string;
  at: string;
  /** Events at or before `at`, folded from the event store. */
  projectEvents: number;
  labEvents: number;
  /** The state the deciders fold from the events. */
  replayed: StatedAccess[];
  /** What `access_intervals` answers for the same instant; null when it does not know the project. */
  readModel: StatedAccess[] | null;
  /** Empty when both agree. */
  differences: string[];
}

export class UnknownProjectError extends Error {
  constructor(readonly project: string) {
    super(`project ${project} has no access events in the event store`);
    this.name = 'UnknownProjectError';
  }
}

/**
 * Folds the project's access events up to `at` with the access deciders (and its lab's stream for
 * base-level membership), then asks the `access_intervals` model the same question and lists every
 * person on whom the two disagree.
 */
export async function replayProjectAccess(store: EventStore, timelines: AccessTimelines, project: string, at: Date): Promise<ReplayReport> {
  const history = (await store.readStream(projectAccessStream(project))) as unknown as (CairnEvent & ProjectAccessEvent)[];
  if (history.length === 0) throw new UnknownProjectError(project);
  const { lab: labId, scheme } = creationOf(project, history);
  const labHistory = (await store.readStream(labStream(labId))) as unknown as (CairnEvent & LabEvent)[];
  const { replayed, projectEvents, labEvents } = accessFoldedAt(history, labHistory, at);

  const timeline = await timelines.projectTimeline(project);
  const readModel = timeline ? accessAt(timeline, at).people.map(statedFromModel) : null;
  return {
    project,
    lab: labId,
    scheme,
    at: at.toISOString(),
    projectEvents,
    labEvents,
    replayed,
    readModel,
    differences: readModel ? differencesBetween(replayed, readModel) : [`the read model does not know project ${project}`],
  };
}

/** The first event of a project's access stream, which names its lab and scheme. */
export function creationOf(project: string, history: readonly ProjectAccessEvent[]): Extract<ProjectAccessEvent, { type: 'access.project.initialized.v1' }>['data'] {
  const [creation] = history;
  if (creation?.type !== 'access.project.initialized.v1') throw new Error(`the access stream of ${project} does not start with its initialization`);
  return creation.data;
}

/**
 * Who had what at `at`, and why, folded by the deciders from the project's access events decided by then
 * and its lab's events recorded by then: the answer an audit bundle states and its verifier recomputes.
 */
export function accessFoldedAt(
  projectHistory: readonly ProjectAccessEvent[],
  labHistory: readonly (LabEvent & { time: string })[],
  at: Date,
): { replayed: StatedAccess[]; projectEvents: number; labEvents: number } {
  const instant = at.getTime();
  const projectEvents = projectHistory.filter((event) => Date.parse(event.data.at) <= instant);
  const labEvents = labHistory.filter((event) => Date.parse(event.time) <= instant);
  const access = foldEvents(projectAccessDecider, projectEvents);
  return { replayed: access ? stateOf(access, foldEvents(labDecider, labEvents)) : [], projectEvents: projectEvents.length, labEvents: labEvents.length };
}

export type ProjectChainVerification =
  | Extract<ChainVerification, { intact: true }>
  | (Extract<ChainVerification, { intact: false }> & {
      /** Where the first broken link is stored. */
      event: { id: string; streamversion: number; position: number };
    });

/** Checks the hash chain of the project's access stream; the first broken link when there is one. */
export async function verifyProjectChain(store: EventStore, project: string): Promise<ProjectChainVerification> {
  const history = (await store.readStream(projectAccessStream(project))) as unknown as (CairnEvent & ProjectAccessEvent)[];
  if (history.length === 0) throw new UnknownProjectError(project);
  const verification = verifyChain(history);
  if (verification.intact) return verification;
  const { id, streamversion, position } = history[verification.brokenAt];
  return { ...verification, event: { id, streamversion, position } };
}

export interface PreviewShown {
  project: string;
  previewId: string;
  /** The change that cited it. */
  eventId: string;
  type: string;
  at: string;
  actor: string;
  effects: UserAccessChange[];
}

/**
 * What a preview showed its actor before they made the change citing it. A change may cite only a
 * preview computed on the very version of the project's access it was applied to (`requireEvidence`),
 * and the change is what that preview decided, so the preview's answer is the difference between the
 * states before and after the citing event, with the lab's members as they were then: computed here
 * from the event store, long after the preview itself is gone.
 */
export async function previewShown(store: EventStore, project: string, previewId: string): Promise<PreviewShown> {
  const history = (await store.readStream(projectAccessStream(project))) as unknown as (CairnEvent & ProjectAccessEvent)[];
  if (history.length === 0) throw new UnknownProjectError(project);
  const index = history.findIndex((event) => (event.data as { previewId?: string }).previewId === previewId);
  if (index < 0) throw refusal('not-found', 'audit.preview-unknown', `no access change of project ${project} cites preview ${previewId}`);
  const event = history[index];
  const before = foldEvents(projectAccessDecider, history.slice(0, index)) as ProjectAccess;
  const after = projectAccessDecider.evolve(before, event) as ProjectAccess;
  const labEvents = ((await store.readStream(labStream(before.lab))) as unknown as (CairnEvent & LabEvent)[]).filter((labEvent) => labEvent.position < event.position);
  const lab = foldEvents(labDecider, labEvents);
  return {
    project,
    previewId,
    eventId: event.id,
    type: event.type,
    at: (event.data as { at: string }).at,
    actor: (event.data as { actor: string }).actor,
    effects: accessEffects(before, after, lab?.members.keys() ?? []),
  };
}

/** The verdict of `verifyProjectChain` in one sentence, as `audit verify` prints it and the auditor's page shows it. */
export function describeVerification(project: string, verification: ProjectChainVerification): string {
  if (verification.intact) return `chain intact (${verification.length} events), head ${verification.head}`;
  const { brokenAt, type, problem, expected, actual, event } = verification;
  return (
    `chain BROKEN at event #${brokenAt} of project ${project} (${type}, stream version ${event.streamversion}, position ${event.position}, id ${event.id}): ` +
    `${problem === 'hash-mismatch' ? 'its hash does not match its content' : "its prevHash is not the previous event's hash"}; ` +
    `expected ${expected}, found ${actual}`
  );
}

/** Everyone with a role: explicit permissions, then lab members through a base level that gives anything. */
function stateOf(access: ProjectAccess, lab: Lab | null): StatedAccess[] {
  const members = new Set(lab?.members.keys() ?? []);
  const users = [...new Set([...access.explicit.keys(), ...members])];
  return users.flatMap((user): StatedAccess[] => {
    const { role, via, grant } = explainAccess(access, user, members.has(user));
    if (role === null || via === 'none') return [];
    if (via === 'base-level') return capabilitiesOf(access.scheme, role).length > 0 ? [{ user, role, via }] : [];
    return [{ user, role, via, grantedBy: grant?.grantedBy, grantedAt: grant?.grantedAt, ...(grant?.reason !== undefined && { reason: grant.reason }) }];
  });
}

function statedFromModel(person: ReturnType<typeof accessAt>['people'][number]): StatedAccess {
  if (person.via === 'base-level') return { user: person.user, role: person.role, via: person.via };
  const { grantedBy, grantedAt, reason } = person.grant;
  return { user: person.user, role: person.role, via: person.via, grantedBy, grantedAt, ...(reason !== undefined && { reason }) };
}

export function describeAccess(access: StatedAccess | undefined): string {
  if (!access) return 'no access';
  if (access.via === 'base-level') return `${access.role} through the base level`;
  const reason = access.reason === undefined ? '' : ` ("${access.reason}")`;
  return `${access.role} by explicit permission from ${access.grantedBy} at ${access.grantedAt}${reason}`;
}

/** Everyone on whom two statements of access disagree, each in one sentence. */
export function differencesBetween(
  replayed: StatedAccess[],
  stated: StatedAccess[],
  sides: { replayed: string; stated: string } = { replayed: 'the event store', stated: 'the read model' },
): string[] {
  const fromStore = new Map(replayed.map((access) => [access.user, access]));
  const fromModel = new Map(stated.map((access) => [access.user, access]));
  return [...new Set([...fromStore.keys(), ...fromModel.keys()])]
    .sort()
    .filter((user) => describeAccess(fromStore.get(user)) !== describeAccess(fromModel.get(user)))
    .map((user) => `${user}: ${sides.replayed} says ${describeAccess(fromStore.get(user))}; ${sides.stated} says ${describeAccess(fromModel.get(user))}`);
}
