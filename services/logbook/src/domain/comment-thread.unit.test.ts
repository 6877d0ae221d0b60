import type { CommentThreadEvent, Mention } from '@cairn/contracts';
import { deciderSpec } from '@cairn/testing';
import { commentThreadDecider, type AddComment, type EditComment } from './comment-thread';

const spec = deciderSpec(commentThreadDecider);

const person = (username: string): Mention => ({ userId: `u-${username}`, username });
/** The lab directory: bob and carol are members; nobody called "nobody" is. */
const directory = new Map(['bob', 'carol'].map((username) => [username, person(username)]));

const comment = (overrides: Partial<AddComment> = {}): AddComment => ({
  type: 'AddComment',
  target: { jobId: 'job-2' },
  projectId: 'p1',
  commentId: 'c1',
  body: 'This run used GPU for the movie render',
  directory,
  actor: 'u-carol',
  ...overrides,
});

const edit = (overrides: Partial<EditComment> = {}): EditComment => ({
  type: 'EditComment',
  commentId: 'c1',
  body: 'This run used GPU (turbo) for the movie render',
  directory,
  actor: 'u-carol',
  ...overrides,
});

const added: CommentThreadEvent = {
  type: 'logbook.comment.added.v1',
  data: { jobId: 'job-2', projectId: 'p1', commentId: 'c1', version: 1, body: 'This run used GPU for the movie render', mentions: [], actor: 'u-carol' },
};

describe('Comment thread: "Add comments to jobs"', () => {
  it('someone comments on a job of the project: the comment’s version 1', () => {
    spec.given([]).when(comment()).then([added]);
  });

  it('comments on an experiment the same way ("comment/annotate")', () => {
    const [event] = commentThreadDecider.decide(comment({ target: { experimentId: 'exp-1' } }), commentThreadDecider.initialState());
    expect(event.data).toMatchObject({ experimentId: 'exp-1', projectId: 'p1' });
    expect(event.data).not.toHaveProperty('jobId');
  });

  it.each([
    ['an empty body', '', 'fields.text-required'],
    ['a blank body', '  \n', 'fields.text-required'],
    ['a body over 10,000 characters', 'x'.repeat(10_001), 'fields.text-too-long'],
  ])('refuses %s, naming the field', (_case, body, rule) => {
    const refusal = spec.given([]).when(comment({ body })).thenThrows(rule, 'invalid');
    expect(refusal.details).toEqual({ errors: [{ field: 'body', message: expect.any(String) }] });
  });

  it('accepts a markdown body of exactly 10,000 characters', () => {
    expect(() => commentThreadDecider.decide(comment({ body: 'x'.repeat(10_000) }), commentThreadDecider.initialState())).not.toThrow();
  });

  describe('"@username mentions are resolved against the lab directory"', () => {
    it('the event records the mentioned people’s user ids; an unknown @name stays plain text', () => {
      const [event] = commentThreadDecider.decide(
        comment({ body: 'Best output: view=all + cartoon style, @bob. Ask @Carol or @nobody; mail bob@example.org' }),
        commentThreadDecider.initialState(),
      );
      expect(event.data).toMatchObject({
        body: 'Best output: view=all + cartoon style, @bob. Ask @Carol or @nobody; mail bob@example.org',
        mentions: [person('bob'), person('carol')],
      });
    });
  });

  describe('"An author may edit their comment, and every edit is kept"', () => {
    it('the author’s edit is the comment’s next version, with the mentions of its new body', () => {
      spec
        .given([added])
        .when(edit({ body: 'Fixed wrong input file type, thanks @bob' }))
        .then([
          {
            type: 'logbook.comment.edited.v1',
            data: { jobId: 'job-2', projectId: 'p1', commentId: 'c1', version: 2, body: 'Fixed wrong input file type, thanks @bob', mentions: [person('bob')], actor: 'u-carol' },
          },
        ]);
    });

    it('each edit numbers on from the last', () => {
      const firstEdit = commentThreadDecider.decide(edit(), [added].reduce(commentThreadDecider.evolve, commentThreadDecider.initialState()));
      const [second] = commentThreadDecider.decide(edit({ body: 'Third wording' }), [added, ...firstEdit].reduce(commentThreadDecider.evolve, commentThreadDecider.initialState()));
      expect(second.data).toMatchObject({ version: 3 });
    });

    it('nobody else may edit it, whatever their role', () => {
      spec.given([added]).when(edit({ actor: 'u-bob' })).thenThrows('comments.author-only', 'forbidden');
    });

    it('the same body again records nothing', () => {
      spec.given([added]).when(edit({ body: added.data.body })).then([]);
    });

    it('an unknown comment cannot be edited', () => {
      spec.given([added]).when(edit({ commentId: 'c9' })).thenThrows('comments.comment-not-found', 'not-found');
    });

    it('an edit is checked like a new comment', () => {
      spec.given([added]).when(edit({ body: 'x'.repeat(10_001) })).thenThrows('fields.text-too-long', 'invalid');
    });
  });
});
