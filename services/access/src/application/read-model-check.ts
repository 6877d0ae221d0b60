import type { CairnEvent, ProjectAccessEvent } from '@cairn/contracts';
import type { EventStore } from '@cairn/event-store';
import { canonicalJson } from '../domain';
import { accessAuditProjection, type AccessAuditEntry, type AccessAuditQuery } from '../projections/access-audit.projection';
import type { AccessTimelines } from '../projections/access-intervals.projection';
import { creationOf, replayProjectAccess, UnknownProjectError } from './access-history-check';
import { labStream } from './labs.service';
import { projectAccessStream } from './project-access.service';

/**
 * The second half of `audit verify`: the read models auditors are shown, the history (`access_audit`)
 * and "access at" (`access_intervals`), compared with a replay of the event store, every difference listed.
 */
export interface ReadModelComparison {
  /** How many history entries the replay gives. */
  historyEntries: number;
  /** The instants "access at" was asked about: each change's. */
  instants: number;
  differences: string[];
}

const PAGE = 500;

export async function compareReadModels(store: EventStore, audit: AccessAuditQuery, timelines: AccessTimelines, project: string): Promise<ReadModelComparison> {
  const projectHistory = await store.readStream(projectAccessStream(project));
  if (projectHistory.length === 0) throw new UnknownProjectError(project);
  const { lab } = creationOf(project, projectHistory as unknown as ProjectAccessEvent[]);
  const labHistory = await store.readStream(labStream(lab));
  const differences = await historyDifferences(audit, project, lab, [...projectHistory, ...labHistory]);
  const replayed = differences.replayed;
  const created = Date.parse(projectHistory[0].time);
  const instants = [
    ...new Set([
      ...projectHistory.map((event) => (event.data as { at: string }).at),
      ...labHistory.filter((event) => Date.parse(event.time) >= created).map((event) => event.time),
    ]),
  ].sort();
  const intervalDifferences: string[] = [];
  for (const instant of instants) {
    const report = await replayProjectAccess(store, timelines, project, new Date(instant));
    intervalDifferences.push(...report.differences.map((difference) => `access_intervals at ${instant}: ${difference}`));
  }
  return { historyEntries: replayed, instants: instants.length, differences: [...differences.found, ...intervalDifferences] };
}

/** The `access_audit` entries the projection makes of the store's events, against those the model holds. */
async function historyDifferences(audit: AccessAuditQuery, project: string, lab: string, events: CairnEvent[]): Promise<{ replayed: number; found: string[] }> {
  const fromStore = new Map(
    accessAuditProjection
      .handle([...events].sort((left, right) => left.position - right.position))
      .flatMap((write) => (write.kind === 'replace' ? [{ eventId: write.id, ...(write.document as Omit<AccessAuditEntry, 'eventId' | 'at'> & { at: Date }) }] : []))
      .filter((entry) => entry.subject !== 'lab')
      .map((entry) => [entry.eventId, canonicalJson({ ...entry, at: entry.at.toISOString() })]),
  );
  const fromModel = new Map<string, string>();
  let cursor: string | undefined;
  do {
    const page = await audit.history({ project: { id: project, lab, since: -1 } }, PAGE, cursor);
    for (const entry of page.items) fromModel.set(entry.eventId, canonicalJson(entry));
    cursor = page.nextCursor ?? undefined;
  } while (cursor);
  const found: string[] = [];
  for (const [eventId, entry] of fromStore) {
    const modelled = fromModel.get(eventId);
    if (modelled === undefined) found.push(`access_audit lacks event ${eventId}: the event store has ${entry}`);
    else if (modelled !== entry) found.push(`access_audit differs on event ${eventId}: the event store gives ${entry}; the read model has ${modelled}`);
  }
  for (const [eventId, modelled] of fromModel) {
    if (!fromStore.has(eventId)) found.push(`access_audit has event ${eventId}, which the event store does not: ${modelled}`);
  }
  return { replayed: fromStore.size, found };
}
