import type { CairnEvent, LabMemberAddedData, LabMemberRemovedData } from '@cairn/contracts';
import { defineProjection, type WriteIntent } from '@cairn/read-models';
import type { Collection } from 'mongodb';

export const DIRECTORY_NAMES = 'directory_names';

/** How a person is named: what an auditor reads beside their user id. */
export interface PersonName {
  username: string;
  displayName: string;
}

/** What a lab directory event said of a person, and when. */
export interface NameRecord extends PersonName {
  position: number;
  /** The event's time (lab events carry no decision time of their own). */
  at: string;
}

export interface DirectoryNamesDocument {
  _id: string;
  /** In the order the events happened. */
  names: NameRecord[];
}

/**
 * How the lab directories named each person over time: every member event carries the username and
 * display name the directory held for them then (from their token claims), so the access history can
 * name people as they were known at each point, not as they are called today.
 */
export const directoryNamesProjection = defineProjection({
  name: DIRECTORY_NAMES,
  version: 1,
  on: {
    'access.lab.member-added.v1': recordName,
    'access.lab.member-removed.v1': recordName,
  },
});

function recordName({ data, position, time }: CairnEvent<string, LabMemberAddedData | LabMemberRemovedData>): WriteIntent[] {
  const record: NameRecord = { position, at: time, username: data.username, displayName: data.displayName };
  return [{ kind: 'update', id: data.userId, position, update: { $push: { names: record } } }];
}

/** A point of the history: a position of the event store, or an instant. */
export type HistoryPoint = { position: number } | { at: Date };

/**
 * The name a person had at `point`: the last one recorded at or before it; someone not named yet is
 * named as the directories first named them (a lab's creator joins it just after creating it).
 */
export function nameAt(records: readonly NameRecord[], point: HistoryPoint): PersonName | undefined {
  const reached = 'position' in point ? (record: NameRecord) => record.position <= point.position : (record: NameRecord) => Date.parse(record.at) <= point.at.getTime();
  const record = records.filter(reached).at(-1) ?? records[0];
  return record && { username: record.username, displayName: record.displayName };
}

/** Reads of the directory names model. */
export class DirectoryNamesQuery {
  constructor(private readonly collection: () => Promise<Collection<DirectoryNamesDocument>>) {}

  /** Every name recorded for each of these people, by user id; people never in a lab are left out. */
  async recordsOf(userIds: Iterable<string>): Promise<Map<string, NameRecord[]>> {
    const ids = [...new Set(userIds)];
    if (ids.length === 0) return new Map();
    // An `_id` lookup: the only index FerretDB uses, and MongoDB's primary key.
    const documents = await (await this.collection()).find({ _id: { $in: ids } }).toArray();
    return new Map(documents.map((document) => [document._id, document.names]));
  }
}
