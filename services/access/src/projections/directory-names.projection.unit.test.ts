import { projectionSpec, storedEvents } from '@cairn/testing';
import { directoryNamesProjection, nameAt } from './directory-names.projection';

/** Issue #9: audit answers name people "from the lab directory as it was known at that point". */

const log = storedEvents();
const joined = (lab: string, displayName: string) =>
  log.event('access.lab.member-added.v1', { lab, userId: 'u-bob', username: 'bob', displayName, admin: false, actor: 'u-admin' });
const left = (lab: string, displayName: string) =>
  log.event('access.lab.member-removed.v1', { lab, userId: 'u-bob', username: 'bob', displayName, actor: 'u-admin' });

const joinedSundog = joined('sundog', 'Bob Baker');
const leftSundog = left('sundog', 'Bob Baker');
const joinedOptics = joined('optics', 'Robert Baker');
const record = (event: typeof joinedSundog | typeof leftSundog) => ({ position: event.position, at: event.time, username: 'bob', displayName: event.data.displayName });

describe('directory names: what every lab directory event said of a person, in order', () => {
  it('joining and leaving labs each record the name the directory held then', () => {
    projectionSpec(directoryNamesProjection)
      .given([joinedSundog])
      .when([leftSundog, joinedOptics])
      .then([{ _id: 'u-bob', names: [record(joinedSundog), record(leftSundog), record(joinedOptics)] }]);
  });
});

describe('the name a person had at a point of the history', () => {
  const records = [record(joinedSundog), record(joinedOptics)];

  it('is the last one recorded at or before that position, or that instant', () => {
    expect(nameAt(records, { position: joinedSundog.position })).toEqual({ username: 'bob', displayName: 'Bob Baker' });
    expect(nameAt(records, { position: joinedOptics.position - 1 })).toEqual({ username: 'bob', displayName: 'Bob Baker' });
    expect(nameAt(records, { at: new Date(joinedOptics.time) })).toEqual({ username: 'bob', displayName: 'Robert Baker' });
  });

  it('before any lab named them, is the name the directories first gave them (a lab’s creator joins just after creating it)', () => {
    expect(nameAt(records, { position: joinedSundog.position - 1 })).toEqual({ username: 'bob', displayName: 'Bob Baker' });
  });
});
