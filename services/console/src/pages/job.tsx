import { useEffect, useRef, useState } from 'preact/hooks';
import { answer, type JobsSchemas } from '../api/client';
import { downloadFile, downloadJobCrate } from '../api/download';
import { follow } from '../api/live';
import { Link } from '../router';
import { CommentThread } from '../ui/comments';
import { useConsole } from '../ui/context';
import { Button, Field } from '../ui/forms';
import { FilePicture, isPicture } from '../ui/file-preview';
import { Card, Empty, exactTime, Loading, PageHeader, Time } from '../ui/layout';
import { ProblemMessage } from '../ui/problem';
import { valueWords } from '../ui/parameter-field';
import { useAction, useLoad } from '../ui/use-load';
import { bytes } from '../words';
import { ChangesList, LineageCard } from './job-lineage';
import { jobPath, machineWords, personWords, StatusBadge } from './jobs';
import { hasCapability, type ProjectPage } from './project-shell';

type Job = JobsSchemas['JobDetailsDto'];
type LogChunk = JobsSchemas['LogChunkDto'];

const ENDED = new Set(['succeeded', 'failed', 'cancelled']);
/** What changes a lineage: a job requested or changing status anywhere in the project, or new best jobs. */
const LINEAGE_EVENTS = /^(jobs\.job\.(requested|started|succeeded|failed|cancel-requested|cancelled)|logbook\.best-jobs\.recorded)\./;

/** "Logs (useful for troubleshooting)": the log so far, then each new chunk as the runner sends it. */
function LiveLog({ jobId, onEnded }: { jobId: string; onEnded(): void }) {
  const { api } = useConsole();
  const [chunks, setChunks] = useState<LogChunk[]>([]);
  const [state, setState] = useState<'following' | 'ended'>('following');
  useEffect(() => {
    setChunks([]);
    return follow(api, {
      url: (lastId) => `/api/jobs/${jobId}/logs${lastId ? `?after=${lastId}` : ''}`,
      onEvent: (event) => {
        if (event.event !== 'chunk') return;
        const chunk = JSON.parse(event.data) as LogChunk;
        setChunks((known) => (known.some((seen) => seen.seq === chunk.seq) ? known : [...known, chunk]));
      },
      onEnd: () => {
        setState('ended');
        onEnded();
      },
    });
  }, [jobId]);
  return (
    <Card title="Logs" id="logs" actions={state === 'following' ? <span class="live-dot">Live</span> : <span class="muted small">Complete</span>}>
      {chunks.length === 0 ? (
        <Empty>{state === 'following' ? 'No output yet.' : 'The job wrote no log.'}</Empty>
      ) : (
        <pre class="log" tabIndex={0} aria-label="Job log" aria-live="polite">
          {chunks.map((chunk) => (
            <span key={chunk.seq} class={`log-${chunk.stream}`}>
              {chunk.text}
            </span>
          ))}
        </pre>
      )}
    </Card>
  );
}

/** "Record 'best run' job IDs in the logbook": this job as the project's latest best, with why. */
function MarkBest({ projectId, jobId }: { projectId: string; jobId: string }) {
  const { api } = useConsole();
  const [reason, setReason] = useState('');
  const [done, setDone] = useState(false);
  const mark = useAction(async () => {
    await answer(api.logbook.PUT('/api/projects/{id}/logbook/best-jobs', { params: { path: { id: projectId } }, body: { jobIds: [jobId], reason } }));
    setDone(true);
  });
  if (done) {
    return (
      <p class="notice" role="status">
        Recorded in the logbook as the latest best job.
      </p>
    );
  }
  return (
    <form
      class="inline-form"
      onSubmit={(event) => {
        event.preventDefault();
        void mark.run();
      }}
    >
      <Field label="Why is this the best job so far?" hint="Shown in the logbook beside it.">
        {(control) => <input {...control} value={reason} required maxLength={500} onInput={(event) => setReason(event.currentTarget.value)} />}
      </Field>
      <Button type="submit" busy={mark.busy}>
        Mark as best job
      </Button>
      <ProblemMessage problem={mark.problem} />
    </form>
  );
}

/**
 * "Download crate": the job's RO-Crate (how it was made, with its outputs) as a zip, once the dialog has
 * said that it names the people involved, since a crate is made to be handed on.
 */
function CrateDownload({ jobId }: { jobId: string }) {
  const { api } = useConsole();
  const dialog = useRef<HTMLDialogElement>(null);
  const download = useAction(async () => {
    await downloadJobCrate(api, jobId);
    dialog.current?.close();
  });
  return (
    <>
      <Button onClick={() => dialog.current?.showModal()}>Download crate</Button>
      <dialog ref={dialog} class="dialog" aria-labelledby="crate-dialog-title">
        <h2 id="crate-dialog-title">Download this job's RO-Crate</h2>
        <p>
          A zip with this job's outputs, its log and <code>ro-crate-metadata.json</code>: how the job was made (template version and command, inputs by their
          sha256, parameters, machine, times, and the job it reruns) in the RO-Crate format journals and repositories read.
        </p>
        <p>
          <strong>It names the people involved</strong>: whoever ran the job, by username and display name. Inputs are named by their Cairn address, not
          included.
        </p>
        <ProblemMessage problem={download.problem} />
        <div class="job-actions">
          <Button variant="primary" busy={download.busy} onClick={() => void download.run()}>
            Download
          </Button>
          <Button onClick={() => dialog.current?.close()}>Cancel</Button>
        </div>
      </dialog>
    </>
  );
}

function JobDetails({ job, project, reload }: { job: Job; project: ProjectPage; reload(): Promise<void> }) {
  const { api, session } = useConsole();
  const base = `/labs/${project.lab}/projects/${project.slug}`;
  const outputFolder = job.outputFolder.replace(/\/+$/, '');
  const download = useAction((output: { fileId: string; path: string }) => downloadFile(api, project.id, output.fileId, output.path.split('/').pop()!));
  const cancel = useAction(async () => {
    await answer(api.jobs.POST('/api/jobs/{id}/cancel', { params: { path: { id: job.id } } }));
    await reload();
  });
  // Status changes come with the project's activity, live: the job is read again when one is about it, and
  // its lineage when any job or the logbook's best jobs change (a rerun anywhere in the tree, a new mark).
  const [lineageChanges, setLineageChanges] = useState(0);
  useEffect(
    () =>
      follow(api, {
        url: (lastId) => `/api/projects/${project.id}/activity${lastId ? `?after=${lastId}` : ''}`,
        onEvent: (event) => {
          const entry = JSON.parse(event.data) as { type: string; details: { jobId?: unknown } };
          if (entry.details.jobId === job.id && entry.type.startsWith('jobs.')) void reload();
          if (LINEAGE_EVENTS.test(entry.type)) setLineageChanges((count) => count + 1);
        },
      }),
    [job.id, project.id],
  );
  const canRun = hasCapability(project, 'jobs.run');
  // As the service decides: one's own job with jobs.run, someone else's with jobs.cancel.
  const mayCancel = job.triggeredBy.id === session.person.userId ? canRun : hasCapability(project, 'jobs.cancel');
  return (
    <>
      <div class="job-actions">
        {canRun && (
          <Link class="button button-primary" href={`${jobPath(job.id)}/rerun`}>
            Rerun
          </Link>
        )}
        {ENDED.has(job.status) && <CrateDownload jobId={job.id} />}
        {mayCancel && !ENDED.has(job.status) && job.status !== 'cancelling' && (
          <Button variant="danger" busy={cancel.busy} onClick={() => void cancel.run()}>
            Cancel job
          </Button>
        )}
      </div>
      <ProblemMessage problem={cancel.problem ?? download.problem} />
      <div class="columns">
        <div class="column-main">
          <Card title="Job details" id="details">
            <dl class="facts">
              <dt>Template</dt>
              <dd>{job.template}</dd>
              <dt>Triggered by</dt>
              <dd>{personWords(job.triggeredBy)}</dd>
              <dt>Machine</dt>
              <dd>{machineWords(job.machine)}</dd>
              <dt>Requested</dt>
              <dd>{exactTime(job.createdAt)}</dd>
              {job.endedAt && (
                <>
                  <dt>Ended</dt>
                  <dd>{exactTime(job.endedAt)}</dd>
                </>
              )}
              <dt>Lineage</dt>
              <dd>
                {job.rerunOf ? (
                  <>
                    Rerun of <Link href={jobPath(job.rerunOf)}>job {job.rerunOf.slice(0, 8)}</Link>
                    {job.rootJobId !== job.rerunOf && (
                      <>
                        {' '}
                        (first of the chain: <Link href={jobPath(job.rootJobId)}>{job.rootJobId.slice(0, 8)}</Link>)
                      </>
                    )}
                  </>
                ) : (
                  'An original run'
                )}
              </dd>
            </dl>
            {job.failure && (
              <div class="problem" role="note">
                <p class="problem-headline">
                  Failed ({job.failure.kind === 'executor' ? 'the command' : 'the system'}): {job.failure.reason}
                  {job.failure.exitCode !== undefined && `, exit code ${job.failure.exitCode}`}
                </p>
              </div>
            )}
            {job.progress && !ENDED.has(job.status) && (
              <p>
                <label for="job-progress">Progress{job.progress.message ? `: ${job.progress.message}` : ''}</label>{' '}
                <progress id="job-progress" max={1} value={job.progress.fraction} />
              </p>
            )}
          </Card>
          <LineageCard job={job} changed={lineageChanges} />
          {job.changes && (
            <Card title="What changed" id="changes">
              <p class="muted small">Against the job it reruns:</p>
              <ChangesList changes={job.changes} />
            </Card>
          )}
          <Card title="Inputs and parameters" id="inputs">
            <h3>Input files</h3>
            {job.inputs.length === 0 ? (
              <Empty>No input files.</Empty>
            ) : (
              <ul class="plain-list">
                {job.inputs.map((input) => (
                  <li key={input.fileId}>
                    <Link href={`${base}/files?folder=${encodeURIComponent(input.path.split('/').slice(0, -1).join('/'))}`}>{input.path}</Link>
                  </li>
                ))}
              </ul>
            )}
            <h3>Parameters</h3>
            <dl class="facts">
              {Object.entries(job.parameters).map(([name, value]) => (
                <div key={name} class="fact">
                  <dt>{name}</dt>
                  <dd>{valueWords(value)}</dd>
                </div>
              ))}
            </dl>
          </Card>
          <LiveLog jobId={job.id} onEnded={() => void reload()} />
          <Card title="Output files" id="outputs" actions={<Link href={`${base}/files?folder=${encodeURIComponent(outputFolder)}`}>Open the output folder</Link>}>
            {job.outputs.length === 0 ? (
              <Empty>{ENDED.has(job.status) ? 'The job wrote no output.' : 'None yet.'}</Empty>
            ) : (
              <ul class="plain-list">
                {job.outputs.map((output) => (
                  <li key={output.fileId}>
                    <div class="output">
                      <span>{output.path.startsWith(`${outputFolder}/`) ? output.path.slice(outputFolder.length + 1) : output.path}</span> <span class="muted small">{bytes(output.size)}</span>{' '}
                      <Button variant="quiet" onClick={() => void download.run(output)} aria-label={`Download ${output.path.split('/').pop()}`}>
                        Download
                      </Button>
                    </div>
                    {isPicture(output.path) && <FilePicture projectId={project.id} fileId={output.fileId} name={output.path.split('/').pop()!} alt={`${output.path.split('/').pop()!}, an output of this job`} />}
                  </li>
                ))}
              </ul>
            )}
          </Card>
          <Card title={`Comments (${job.comments.count})`} id="comments">
            <CommentThread target={{ kind: 'job', id: job.id }} canWrite={hasCapability(project, 'comments.write')} label="Comments on this job" />
          </Card>
        </div>
        <aside class="column-side" aria-label="Status and logbook">
          <Card title="Status" id="timeline">
            <p>
              <StatusBadge status={job.status} />
            </p>
            <ol class="timeline-steps">
              {job.timeline.map((entry, index) => (
                <li key={index}>
                  <StatusBadge status={entry.state} /> <Time iso={entry.at} />
                  <div class="small">{entry.message}</div>
                </li>
              ))}
            </ol>
          </Card>
          {hasCapability(project, 'logbook.write') && (
            <Card title="Logbook" id="best">
              <MarkBest projectId={project.id} jobId={job.id} />
              <p class="small">
                <Link href={`${base}/logbook`}>Open the logbook</Link>
              </p>
            </Card>
          )}
        </aside>
      </div>
    </>
  );
}

/** "Open a job to view: input files, parameters used, logs, output files, comments", with its status live. */
export function JobPage({ jobId }: { jobId: string }) {
  const { api } = useConsole();
  const job = useLoad(() => answer(api.jobs.GET('/api/jobs/{id}', { params: { path: { id: jobId } } })), [jobId]);
  const projectId = job.data?.projectId;
  const project = useLoad(async () => (projectId ? answer(api.projects.GET('/api/projects/{idOrSlug}', { params: { path: { idOrSlug: projectId } } })) : undefined), [projectId]);
  const title = job.data ? `${job.data.templateName} · job ${job.data.id.slice(0, 8)}` : 'Job';
  return (
    <>
      <PageHeader
        title={title}
        eyebrow={
          project.data ? (
            <>
              <Link href={`/labs/${project.data.lab}/projects/${project.data.slug}`}>{project.data.name}</Link> /{' '}
              <Link href={`/labs/${project.data.lab}/projects/${project.data.slug}/jobs`}>Jobs</Link>
            </>
          ) : (
            <Link href="/jobs">Jobs</Link>
          )
        }
        subtitle={job.data && <StatusBadge status={job.data.status} />}
      />
      <ProblemMessage problem={job.problem ?? project.problem} />
      {(job.loading || project.loading) && !(job.data && project.data) && <Loading what="the job" />}
      {job.data && project.data && <JobDetails job={job.data} project={project.data} reload={job.reload} />}
    </>
  );
}
