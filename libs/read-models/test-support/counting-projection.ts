import type { CairnEvent } from '@cairn/contracts';
import type { EventStore } from '@cairn/event-store';
import { defineProjection, type Projection } from '../src/projection';

/**
 * A projection whose every mistake shows: per project stream, how many renames it counted and at which
 * positions. A rename applied twice or lost changes `count` and `positions`.
 */
export function renameCounts(name = 'rename_counts', version = 1): Projection<'projects.project.updated.v1'> {
  return defineProjection({
    name,
    version,
    indexes: [{ key: { count: 1 }, name: 'count' }],
    on: {
      'projects.project.updated.v1': (event) => [
        {
          kind: 'update',
          id: event.streamid,
          position: event.position,
          update: { $inc: { count: 1 }, $push: { positions: event.position }, $set: { lastName: event.data.name } },
        },
      ],
    },
  });
}

export interface RenameCount {
  _id: string;
  count: number;
  positions: number[];
  lastName: string;
  _position: number;
}

/** What `renameCounts` must hold after these events, computed independently of the runner. */
export function expectedRenameCounts(events: CairnEvent[]): RenameCount[] {
  const counts = new Map<string, RenameCount>();
  for (const event of events) {
    const current = counts.get(event.streamid) ?? { _id: event.streamid, count: 0, positions: [], lastName: '', _position: 0 };
    current.count++;
    current.positions.push(event.position);
    current.lastName = (event.data as { name: string }).name;
    current._position = event.position;
    counts.set(event.streamid, current);
  }
  return [...counts.values()].sort((a, b) => a._id.localeCompare(b._id));
}

export async function renameProject(store: EventStore, projectId: string, name: string): Promise<number> {
  const stream = { context: 'projects', aggregate: 'project', id: projectId };
  return (await store.append(stream, [{ type: 'projects.project.updated.v1', data: { projectId, name, actor: 'u-alice' } }], 'any')).position;
}

export async function allEvents(store: EventStore, categories: string[]): Promise<CairnEvent[]> {
  const events: CairnEvent[] = [];
  for await (const event of store.readAll({ categories })) events.push(event);
  return events;
}
