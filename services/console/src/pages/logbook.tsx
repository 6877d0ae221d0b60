import { useState } from 'preact/hooks';
import { answer, type LogbookSchemas } from '../api/client';
import { Link } from '../router';
import { useConsole } from '../ui/context';
import { Button, Field } from '../ui/forms';
import { Card, Empty, Loading, Time } from '../ui/layout';
import { Markdown } from '../ui/markdown';
import { fieldProblem, ProblemMessage } from '../ui/problem';
import { useAction, useLoad } from '../ui/use-load';
import { jobPath } from './jobs';
import { hasCapability, type ProjectPage } from './project-shell';

type Entry = LogbookSchemas['EntryDto'];
type BestJobs = LogbookSchemas['BestJobsDto'];
type Diff = LogbookSchemas['LineDiffDto'];

const personName = (person: { userId: string; displayName?: string } | null | undefined) => person?.displayName ?? person?.userId ?? 'someone';

/** A revision's changes as a unified diff, each line marked added, removed or kept. */
export function DiffView({ diff }: { diff: Diff }) {
  if (diff.hunks.length === 0) return <p class="muted small">No change to the text.</p>;
  return (
    <div class="diff" role="group" aria-label={`${diff.added} lines added, ${diff.removed} removed`}>
      {diff.hunks.map((hunk) => (
        <pre key={`${hunk.oldStart}-${hunk.newStart}`} class="diff-hunk">
          <span class="diff-range">
            @@ −{hunk.oldStart},{hunk.oldLines} +{hunk.newStart},{hunk.newLines} @@
          </span>
          {hunk.lines.map((line, index) => {
            const kind = line[0] === '+' ? 'added' : line[0] === '-' ? 'removed' : 'kept';
            return (
              <span key={index} class={`diff-line diff-${kind}`}>
                <span class="visually-hidden">{kind === 'kept' ? '' : `${kind}: `}</span>
                {line}
              </span>
            );
          })}
        </pre>
      ))}
    </div>
  );
}

function Revisions({ projectId, entry }: { projectId: string; entry: Entry }) {
  const { api } = useConsole();
  const revisions = useLoad(
    () => answer(api.logbook.GET('/api/projects/{id}/logbook/entries/{entryId}/revisions', { params: { path: { id: projectId, entryId: entry.id }, query: { limit: 50 } } })),
    [entry.id, entry.version],
  );
  return (
    <div class="revisions">
      <ProblemMessage problem={revisions.problem} />
      {revisions.loading && !revisions.data && <Loading what="revisions" />}
      <ol>
        {revisions.data?.items.map((revision) => (
          <li key={revision.version}>
            <p class="muted small">
              Revision {revision.version} by {personName(revision.by)}, <Time iso={revision.at} /> · {revision.diff.added} added, {revision.diff.removed} removed
            </p>
            <DiffView diff={revision.diff} />
          </li>
        ))}
      </ol>
    </div>
  );
}

function EntryCard({ projectId, entry, canWrite, onChanged }: { projectId: string; entry: Entry; canWrite: boolean; onChanged(): Promise<void> }) {
  const { api } = useConsole();
  const [editing, setEditing] = useState(false);
  const [showRevisions, setShowRevisions] = useState(false);
  const [body, setBody] = useState(entry.body);
  const revise = useAction(async () => {
    // The version read is the one revised: someone else's revision in between answers 409, not lost.
    await answer(api.logbook.PUT('/api/projects/{id}/logbook/entries/{entryId}', { params: { path: { id: projectId, entryId: entry.id } }, body: { body, expectedVersion: entry.version } }));
    setEditing(false);
    await onChanged();
  });
  return (
    <article class="entry" aria-labelledby={`entry-${entry.id}`}>
      <header class="entry-header">
        <h3 id={`entry-${entry.id}`}>{entry.title}</h3>
        <p class="muted small">
          {personName(entry.createdBy)}, <Time iso={entry.createdAt} />
          {entry.version > 1 && (
            <>
              {' '}
              · revised by {personName(entry.updatedBy)} <Time iso={entry.updatedAt} />
            </>
          )}
        </p>
      </header>
      {editing ? (
        <form
          onSubmit={(event) => {
            event.preventDefault();
            void revise.run();
          }}
        >
          <Field label={`Text of “${entry.title}”`} hint="Markdown. Every revision is kept." error={fieldProblem(revise.problem, 'body')}>
            {(control) => <textarea {...control} rows={12} value={body} onInput={(event) => setBody(event.currentTarget.value)} />}
          </Field>
          <ProblemMessage problem={revise.problem} />
          <div class="form-actions">
            <Button type="submit" variant="primary" busy={revise.busy}>
              Save revision
            </Button>
            <Button onClick={() => setEditing(false)}>Cancel</Button>
          </div>
        </form>
      ) : (
        <div class="entry-body">
          <Markdown text={entry.body} />
        </div>
      )}
      <div class="form-actions">
        {canWrite && !editing && (
          <Button
            variant="quiet"
            onClick={() => {
              setBody(entry.body);
              setEditing(true);
            }}
            aria-label={`Edit “${entry.title}”`}
          >
            Edit
          </Button>
        )}
        <Button variant="quiet" aria-expanded={showRevisions} onClick={() => setShowRevisions(!showRevisions)} aria-label={`Revisions of “${entry.title}” (${entry.version})`}>
          Revisions ({entry.version})
        </Button>
      </div>
      {showRevisions && <Revisions projectId={projectId} entry={entry} />}
    </article>
  );
}

/** "Record 'best run' job IDs in the logbook": the latest best jobs, each with why. */
function BestJobsCard({ bestJobs }: { bestJobs: BestJobs | null }) {
  return (
    <Card title="Latest best jobs" id="best-jobs">
      {!bestJobs || bestJobs.jobs.length === 0 ? (
        <Empty>No best job recorded yet. Mark one on its job page.</Empty>
      ) : (
        <>
          <ul class="plain-list">
            {bestJobs.jobs.map((job) => (
              <li key={job.jobId}>
                <Link href={jobPath(job.jobId)}>
                  <code>{job.jobId.slice(0, 8)}</code> {job.template ?? 'job'}
                </Link>{' '}
                {job.status && <span class={`badge status-${job.status}`}>{job.status}</span>}
                <div>{job.reason}</div>
                {job.triggeredBy && <div class="muted small">run by {personName(job.triggeredBy)}</div>}
              </li>
            ))}
          </ul>
          <p class="muted small">
            Recorded by {personName(bestJobs.recordedBy)} <Time iso={bestJobs.recordedAt} />
          </p>
        </>
      )}
    </Card>
  );
}

/**
 * The project logbook (the facility guide's Step 5): entries newest first with their revisions and
 * diffs, the latest best jobs, and the suggested template to start an entry from.
 */
export function LogbookPage({ project }: { project: ProjectPage }) {
  const { api } = useConsole();
  const [writing, setWriting] = useState(false);
  const [title, setTitle] = useState('');
  const [body, setBody] = useState('');
  const page = useLoad(() => answer(api.logbook.GET('/api/projects/{id}/logbook', { params: { path: { id: project.id }, query: { limit: 50 } } })), [project.id]);
  const canWrite = hasCapability(project, 'logbook.write');
  const create = useAction(async (fromTemplate: boolean) => {
    await answer(api.logbook.POST('/api/projects/{id}/logbook/entries', { params: { path: { id: project.id } }, body: fromTemplate ? { title, fromTemplate: true } : { title, body } }));
    setWriting(false);
    setTitle('');
    setBody('');
    await page.reload();
  });
  const template = page.data?.template.sections ?? [];
  return (
    <div class="columns">
      <div class="column-main">
        <Card
          title="Entries"
          actions={
            canWrite &&
            !writing && (
              <Button variant="primary" onClick={() => setWriting(true)}>
                New entry
              </Button>
            )
          }
        >
          {writing && (
            <form
              class="inset"
              onSubmit={(event) => {
                event.preventDefault();
                void create.run(false);
              }}
            >
              <Field label="Title" error={fieldProblem(create.problem, 'title')}>
                {(control) => <input {...control} value={title} required maxLength={200} onInput={(event) => setTitle(event.currentTarget.value)} />}
              </Field>
              <Field label="Text" hint="Markdown: why someone was invited, what has been processed, which jobs hold key results, good parameter sets." error={fieldProblem(create.problem, 'body')}>
                {(control) => <textarea {...control} rows={8} value={body} onInput={(event) => setBody(event.currentTarget.value)} />}
              </Field>
              <ProblemMessage problem={create.problem} />
              <div class="form-actions">
                <Button type="submit" variant="primary" busy={create.busy}>
                  Add entry
                </Button>
                <Button busy={create.busy} onClick={() => void create.run(true)} disabled={title.trim() === ''}>
                  Start from the suggested template
                </Button>
                <Button onClick={() => setWriting(false)}>Cancel</Button>
              </div>
            </form>
          )}
          <ProblemMessage problem={page.problem} />
          {page.loading && !page.data && <Loading what="the logbook" />}
          {page.data && page.data.entries.items.length === 0 && <Empty>The logbook is empty. Start with the suggested template.</Empty>}
          {page.data?.entries.items.map((entry) => (
            <EntryCard key={`${entry.id}-${entry.version}`} projectId={project.id} entry={entry} canWrite={canWrite} onChanged={() => page.reload()} />
          ))}
        </Card>
      </div>
      <aside class="column-side" aria-label="Best jobs and the template">
        <BestJobsCard bestJobs={page.data?.bestJobs ?? null} />
        <Card title="Suggested template" id="template">
          <dl class="template">
            {template.map((section) => (
              <div key={section.id}>
                <dt>{section.heading}</dt>
                <dd>{section.text || <span class="muted">{section.hint}</span>}</dd>
              </div>
            ))}
          </dl>
        </Card>
      </aside>
    </div>
  );
}
