import { validateOnPublish, type CommentThreadEvent, type Decider, type DomainEvent, type LogbookEvent } from '@cairn/contracts';
import { commentThreadDecider, type CommentCommand, type CommentThreadState } from './comment-thread';
import { logbookDecider, type LogbookCommand, type LogbookState } from './logbook';

/** Decides each command on the state the events before it made, and returns every event decided. */
function story<C, S, E extends DomainEvent>(decider: Decider<C, S, E>, commands: C[]): E[] {
  const decided: E[] = [];
  commands.reduce((state, command) => {
    const events = decider.decide(command, state);
    decided.push(...events);
    return events.reduce(decider.evolve, state);
  }, decider.initialState());
  return decided;
}

const knownJobs = new Map([
  ['job-1', 'p1'],
  ['job-2', 'p1'],
]);
const directory = new Map([['bob', { userId: 'u-bob', username: 'bob' }]]);

const logbookStory = story<LogbookCommand, LogbookState, LogbookEvent>(logbookDecider, [
  { type: 'AddEntry', projectId: 'p1', entryId: 'e1', title: 'Logbook', template: { owners: ['alice'], date: '2026-03-02' }, knownJobs, actor: 'u-alice' },
  { type: 'AddEntry', projectId: 'p1', entryId: 'e2', title: 'Render', body: 'GPU run', jobRefs: ['job-1'], knownJobs, actor: 'u-bob' },
  { type: 'ReviseEntry', projectId: 'p1', entryId: 'e2', expectedVersion: 1, body: 'GPU run, turbo', jobRefs: ['job-1', 'job-2'], knownJobs, actor: 'u-bob' },
  { type: 'RecordBestJobs', projectId: 'p1', jobIds: ['job-2'], reason: 'view=all + cartoon style', knownJobs, actor: 'u-bob' },
]);
const threadStory = story<CommentCommand, CommentThreadState, CommentThreadEvent>(
  commentThreadDecider,
  [
    { type: 'AddComment', target: { jobId: 'job-2' }, projectId: 'p1', commentId: 'c1', body: 'Nice, @bob', directory, actor: 'u-carol' },
    { type: 'EditComment', commentId: 'c1', body: 'Nice render, @bob', directory, actor: 'u-carol' },
    { type: 'AddComment', target: { experimentId: 'exp-1' }, projectId: 'p1', commentId: 'c2', body: 'Stack 3 is blurred', directory, actor: 'u-carol' },
  ],
);

describe('logbook events as the deciders make them', () => {
  it('tell the whole story: every command above recorded something', () => {
    expect([...logbookStory, ...threadStory].map((event) => event.type)).toEqual([
      'logbook.entry.added.v1',
      'logbook.entry.added.v1',
      'logbook.entry.revised.v1',
      'logbook.best-jobs.recorded.v1',
      'logbook.comment.added.v1',
      'logbook.comment.edited.v1',
      'logbook.comment.added.v1',
    ]);
  });

  it.each([...logbookStory, ...threadStory].map((event, index) => [index, event.type, event] as const))('%i: %s passes its published JSON Schema', (_index, _type, event) => {
    expect(() => validateOnPublish(event)).not.toThrow();
  });
});
