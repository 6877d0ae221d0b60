import type { ComponentChildren } from 'preact';
import { useState } from 'preact/hooks';
import { answer, type LogbookSchemas } from '../api/client';
import { useConsole } from './context';
import { Button, Field } from './forms';
import { Empty, Loading, Time } from './layout';
import { Markdown } from './markdown';
import { ProblemMessage } from './problem';
import { useAction, useLoad } from './use-load';

type Comment = LogbookSchemas['CommentDto'];
export type CommentTarget = { kind: 'job'; id: string } | { kind: 'experiment'; id: string; projectId: string };

/** Text with the @mentions of `mentions` marked (the ones the service resolved to people of the lab). */
export function markMentions(mentions: Comment['mentions']) {
  const known = new Set(mentions.map((mention) => mention.username.toLowerCase()));
  return (text: string): ComponentChildren[] => text.split(/(@[A-Za-z0-9._-]+)/).map((part, index) =>
    part.startsWith('@') && known.has(part.slice(1).toLowerCase()) ? (
      <strong key={index} class="mention">
        {part}
      </strong>
    ) : (
      part
    ),
  );
}

/**
 * A job's or an experiment's comments, oldest first, and a box to add one ("Use job comments to
 * capture..."): markdown, `@username` mentions people of the lab. Writing needs comments.write.
 */
export function CommentThread({ target, canWrite, label }: { target: CommentTarget; canWrite: boolean; label: string }) {
  const { api } = useConsole();
  const [body, setBody] = useState('');
  const path = { params: { path: { id: target.id } } };
  const thread = useLoad(
    () => answer(target.kind === 'job' ? api.logbook.GET('/api/jobs/{id}/comments', path) : api.logbook.GET('/api/experiments/{id}/comments', path)),
    [target.kind, target.id],
  );
  const add = useAction(async () => {
    if (target.kind === 'job') await answer(api.logbook.POST('/api/jobs/{id}/comments', { ...path, body: { body } }));
    else await answer(api.logbook.POST('/api/experiments/{id}/comments', { ...path, body: { body, projectId: target.projectId } }));
    setBody('');
    await thread.reload();
  });
  return (
    <section class="comments" aria-label={label}>
      <ProblemMessage problem={thread.problem} />
      {thread.loading && !thread.data && <Loading what="comments" />}
      {thread.data && thread.data.items.length === 0 && <Empty>No comments yet.</Empty>}
      <ol class="comment-list">
        {thread.data?.items.map((comment) => (
          <li key={comment.id} class="comment">
            <p class="comment-meta">
              <strong>{comment.author.displayName ?? comment.author.userId}</strong> <Time iso={comment.createdAt} />
              {comment.version > 1 && <span class="muted small"> · edited</span>}
            </p>
            <div class="comment-body">
              <Markdown text={comment.body} decorate={markMentions(comment.mentions)} />
            </div>
          </li>
        ))}
      </ol>
      {canWrite && (
        <form
          onSubmit={(event) => {
            event.preventDefault();
            void add.run();
          }}
        >
          <Field label="Add a comment" hint="Markdown; @username tells someone of the lab.">
            {(control) => <textarea {...control} rows={3} value={body} maxLength={10_000} onInput={(event) => setBody(event.currentTarget.value)} />}
          </Field>
          <ProblemMessage problem={add.problem} />
          <Button type="submit" variant="primary" busy={add.busy} disabled={body.trim() === ''}>
            Comment
          </Button>
        </form>
      )}
    </section>
  );
}
