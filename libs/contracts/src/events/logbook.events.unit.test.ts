import { EventValidationError } from '../validation';
import { eventCatalogue, validateOnPublish } from './index';
import { COMMENT_BODY_MAX_LENGTH, logbookEvents } from './logbook.events';

const comment = { projectId: 'p1', commentId: 'c1', version: 1, body: 'Best output: view=all + cartoon style @bob', mentions: [{ userId: 'u-bob', username: 'bob' }], actor: 'u-carol' };

describe('logbook events: docs/api.md "Events" lists them, each with a JSON Schema', () => {
  it('defines exactly the logbook events docs/api.md names', () => {
    expect(logbookEvents.map((definition) => definition.type)).toEqual([
      'logbook.entry.added.v1',
      'logbook.entry.revised.v1',
      'logbook.best-jobs.recorded.v1',
      'logbook.comment.added.v1',
      'logbook.comment.edited.v1',
    ]);
  });

  it('keeps entries and best jobs in the project logbook stream, comments in the thread of what they are on', () => {
    const { registry } = eventCatalogue();
    expect(logbookEvents.map((definition) => registry.streamAggregateOf(definition.type))).toEqual(['logbook', 'logbook', 'logbook', 'thread', 'thread']);
  });

  it('accepts a comment on a job or on an experiment', () => {
    expect(() => validateOnPublish({ type: 'logbook.comment.added.v1', data: { ...comment, jobId: 'j1' } })).not.toThrow();
    expect(() => validateOnPublish({ type: 'logbook.comment.edited.v1', data: { ...comment, version: 2, experimentId: 'e1' } })).not.toThrow();
  });

  it.each([
    ['on nothing', comment],
    ['on a job and an experiment at once', { ...comment, jobId: 'j1', experimentId: 'e1' }],
    ['over 10,000 characters', { ...comment, jobId: 'j1', body: 'x'.repeat(COMMENT_BODY_MAX_LENGTH + 1) }],
    ['with an empty body', { ...comment, jobId: 'j1', body: '' }],
    ['with a field no version has', { ...comment, jobId: 'j1', colour: 'red' }],
  ])('refuses a comment %s', (_case, data) => {
    expect(() => validateOnPublish({ type: 'logbook.comment.added.v1', data })).toThrow(EventValidationError);
  });

  it('records best jobs each with a short reason', () => {
    const record = { projectId: 'p1', jobs: [{ jobId: 'j2', reason: 'GPU render, cartoon style' }], actor: 'u-bob' };
    expect(() => validateOnPublish({ type: 'logbook.best-jobs.recorded.v1', data: record })).not.toThrow();
    expect(() => validateOnPublish({ type: 'logbook.best-jobs.recorded.v1', data: { ...record, jobs: [{ jobId: 'j2' }] } })).toThrow(EventValidationError);
  });
});
