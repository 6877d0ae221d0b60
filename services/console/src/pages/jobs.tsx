import { useState } from 'preact/hooks';
import { answer, type JobsSchemas } from '../api/client';
import { Link, navigate, useLocation } from '../router';
import { useConsole } from '../ui/context';
import { Table } from '../ui/table';
import { Button, Field } from '../ui/forms';
import { Card, Empty, Loading, PageHeader, Time } from '../ui/layout';
import { ProblemMessage } from '../ui/problem';
import { useLoad } from '../ui/use-load';
import type { ProjectPage } from './project-shell';

type JobItem = JobsSchemas['JobItemDto'];

export const JOB_STATUSES = ['queued', 'running', 'cancelling', 'succeeded', 'failed', 'cancelled'] as const;
const MACHINES = ['cpu', 'gpu', 'cpu/standard', 'cpu/turbo', 'gpu/standard', 'gpu/turbo'];

export const jobPath = (jobId: string) => `/jobs/${jobId}`;
export const machineWords = (machine: { type: string; performance: string }) => `${machine.type.toUpperCase()}, ${machine.performance}`;
export const personWords = (person: { id: string; displayName?: string } | { userId: string; displayName?: string }) =>
  person.displayName ?? ('id' in person ? person.id : person.userId);

export function StatusBadge({ status }: { status: string }) {
  return <span class={`badge status status-${status}`}>{status}</span>;
}

/** `datetime-local` holds a local time without offset; the API wants an instant. */
export const instantOf = (local: string) => new Date(local).toISOString();

/** The search's fields, as the page URL keeps them (so a search can be linked and survives a reload). */
const FILTERS = ['triggeredBy', 'template', 'status', 'machine', 'from', 'to', 'q'] as const;
type Filters = Partial<Record<(typeof FILTERS)[number], string>>;

function filtersOf(query: URLSearchParams): Filters {
  return Object.fromEntries(FILTERS.flatMap((name) => (query.get(name) ? [[name, query.get(name)!]] : [])));
}

/**
 * "Use the available filters/search: search by triggerer (the person who ran the job), search by job
 * template name", and status, machine and time: the jobs of one project, or of every project the person
 * can read ("Go to Analysis → Jobs"). Newest first.
 */
export function JobSearch({ projectId, base }: { projectId?: string; base: string }) {
  const { api } = useConsole();
  const { query } = useLocation();
  const applied = filtersOf(query);
  const [draft, setDraft] = useState<Filters>(applied);
  const key = JSON.stringify(applied);
  const jobs = useLoad(() => {
    const search = {
      limit: 100,
      ...(applied.triggeredBy && { triggeredBy: applied.triggeredBy }),
      ...(applied.template && { template: applied.template }),
      ...(applied.status && { status: [applied.status] }),
      ...(applied.machine && { machine: [applied.machine] }),
      ...(applied.from && { from: instantOf(applied.from) }),
      ...(applied.to && { to: instantOf(applied.to) }),
      ...(applied.q && { q: applied.q }),
    };
    return answer(
      projectId === undefined
        ? api.jobs.GET('/api/jobs', { params: { query: search } })
        : api.jobs.GET('/api/projects/{id}/jobs', { params: { path: { id: projectId }, query: search } }),
    );
  }, [projectId, key]);
  const set = (name: keyof Filters) => (event: Event) => setDraft({ ...draft, [name]: (event.currentTarget as HTMLInputElement).value });
  const apply = (filters: Filters) => {
    const search = new URLSearchParams(Object.entries(filters).filter(([, value]) => value));
    navigate(`${base}${search.size ? `?${search}` : ''}`);
  };
  return (
    <>
      <Card title="Search">
        <form
          class="filters"
          role="search"
          onSubmit={(event) => {
            event.preventDefault();
            apply(draft);
          }}
        >
          <Field label="Triggered by" hint="Username of who ran it.">
            {(control) => <input {...control} value={draft.triggeredBy ?? ''} onInput={set('triggeredBy')} />}
          </Field>
          <Field label="Template" hint="The name begins with…">
            {(control) => <input {...control} value={draft.template ?? ''} onInput={set('template')} />}
          </Field>
          <Field label="Status">
            {(control) => (
              <select {...control} value={draft.status ?? ''} onChange={set('status')}>
                <option value="">Any</option>
                {JOB_STATUSES.map((status) => (
                  <option key={status} value={status}>
                    {status}
                  </option>
                ))}
              </select>
            )}
          </Field>
          <Field label="Machine">
            {(control) => (
              <select {...control} value={draft.machine ?? ''} onChange={set('machine')}>
                <option value="">Any</option>
                {MACHINES.map((machine) => (
                  <option key={machine} value={machine}>
                    {machine}
                  </option>
                ))}
              </select>
            )}
          </Field>
          <Field label="From">{(control) => <input {...control} type="datetime-local" value={draft.from ?? ''} onInput={set('from')} />}</Field>
          <Field label="Until">{(control) => <input {...control} type="datetime-local" value={draft.to ?? ''} onInput={set('to')} />}</Field>
          <Field label="Words" hint="Of the template or the parameters.">
            {(control) => <input {...control} type="search" value={draft.q ?? ''} onInput={set('q')} />}
          </Field>
          <div class="form-actions">
            <Button type="submit" variant="primary">
              Search
            </Button>
            <Button
              onClick={() => {
                setDraft({});
                apply({});
              }}
            >
              Clear
            </Button>
          </div>
        </form>
      </Card>
      <Card title={`Jobs${jobs.data ? ` (${jobs.data.items.length}${jobs.data.nextCursor ? '+' : ''})` : ''}`}>
        <ProblemMessage problem={jobs.problem} />
        {jobs.loading && !jobs.data && <Loading what="jobs" />}
        {jobs.data && jobs.data.items.length === 0 && <Empty>No job matches.</Empty>}
        {jobs.data && jobs.data.items.length > 0 && <JobTable jobs={jobs.data.items} />}
      </Card>
    </>
  );
}

export function JobTable({ jobs }: { jobs: JobItem[] }) {
  return (
    <Table caption="Jobs, newest first" columns={['Job', 'Status', 'Triggered by', 'Machine', 'Requested']}>
        {jobs.map((job) => (
          <tr key={job.id}>
            <td>
              <Link href={jobPath(job.id)}>{job.templateName}</Link> <span class="muted small">{job.templateVersion}</span>
              <div class="muted small">
                <code>{job.id.slice(0, 8)}</code>
                {job.rerunOf && <> · rerun of {job.rerunOf.slice(0, 8)}</>}
              </div>
            </td>
            <td>
              <StatusBadge status={job.status} />
            </td>
            <td>{personWords(job.triggeredBy)}</td>
            <td>{machineWords(job.machine)}</td>
            <td>
              <Time iso={job.createdAt} />
            </td>
          </tr>
        ))}
      </Table>
  );
}

/** "Go to Analysis → Jobs": every project's jobs the person can read. */
export function JobsPage() {
  return (
    <>
      <PageHeader title="Jobs" subtitle="The jobs of every project you can see, newest first." />
      <JobSearch base="/jobs" />
    </>
  );
}

/** A project's jobs tab. */
export function ProjectJobsPage({ project }: { project: ProjectPage }) {
  return <JobSearch projectId={project.id} base={`/labs/${project.lab}/projects/${project.slug}/jobs`} />;
}
