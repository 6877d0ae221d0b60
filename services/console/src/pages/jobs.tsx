import { useEffect, useState } from 'preact/hooks';
import { answer, MIN_POSITION_HEADER, type JobsSchemas } from '../api/client';
import { follow } from '../api/live';
import { Link, navigate, useLocation } from '../router';
import { useConsole } from '../ui/context';
import { Table } from '../ui/table';
import { Button, Field } from '../ui/forms';
import { Card, Empty, Loading, PageHeader, Time } from '../ui/layout';
import { PersonPicker, type PeopleSource } from '../ui/person-picker';
import { ProblemMessage } from '../ui/problem';
import { useAction, useLoad } from '../ui/use-load';
import { hasCapability, type ProjectPage } from './project-shell';

type JobItem = JobsSchemas['JobItemDto'];
type JobPage = { items: JobItem[]; nextCursor?: string | null };

/** Jobs a page asks for at a time; "Load more" follows the API's cursor to the next ones. */
export const JOBS_PAGE_SIZE = 50;

export const JOB_STATUSES = ['queued', 'running', 'cancelling', 'succeeded', 'failed', 'cancelled'] as const;
const MACHINES = ['cpu', 'gpu', 'cpu/standard', 'cpu/turbo', 'gpu/standard', 'gpu/turbo'];

export const jobPath = (jobId: string) => `/jobs/${jobId}`;
type Machine = JobsSchemas['MachineDto'];
/** `cpu/turbo`, as templates list their machines, to the machine a job asks for, and back. */
export const machineOf = (key: string): Machine => {
  const [type, performance] = key.split('/');
  return { type: type as Machine['type'], performance: performance as Machine['performance'] };
};
export const keyOf = (machine: Machine) => `${machine.type}/${machine.performance}`;
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
export function JobSearch({ project, base }: { project?: ProjectPage; base: string }) {
  const { api } = useConsole();
  const { query } = useLocation();
  const applied = filtersOf(query);
  const [draft, setDraft] = useState<Filters>(applied);
  const key = JSON.stringify(applied);
  const projectId = project?.id;
  /** `after`: a bus position the answer must include (a live event's), so it shows what the event says. */
  const search = (cursor?: string, after?: number) => {
    const filters = {
      limit: JOBS_PAGE_SIZE,
      ...(cursor && { cursor }),
      ...(applied.triggeredBy && { triggeredBy: applied.triggeredBy }),
      ...(applied.template && { template: applied.template }),
      ...(applied.status && { status: applied.status }),
      ...(applied.machine && { machine: applied.machine }),
      ...(applied.from && { from: instantOf(applied.from) }),
      ...(applied.to && { to: instantOf(applied.to) }),
      ...(applied.q && { q: applied.q }),
    };
    const headers = after === undefined ? {} : { [MIN_POSITION_HEADER]: String(after) };
    return answer<JobPage>(
      projectId === undefined
        ? api.jobs.GET('/api/jobs', { params: { query: filters }, headers })
        : api.jobs.GET('/api/projects/{id}/jobs', { params: { path: { id: projectId }, query: filters }, headers }),
    );
  };
  const jobs = useLoad(() => search(), [projectId, key]);
  const more = useAction(async (cursor: string) => {
    const next = await search(cursor);
    jobs.set((shown) => shown && { items: [...shown.items, ...next.items.filter((job) => !shown.items.some((known) => known.id === job.id))], nextCursor: next.nextCursor });
  });
  // Live: in a project, each job event of its activity (access checked at connect and per event); across
  // projects, the jobs service's stream of the jobs the person may read (checked per event). Each reads
  // the newest page again: new jobs come first and changed ones replace what is shown, wherever they are.
  // When the projects the person may read change, the list is read again whole.
  useEffect(() => {
    const showNewest = (position: number) => void search(undefined, position).then((newest) => jobs.set((shown) => shown && mergeNewest(shown, newest)), () => undefined);
    if (projectId === undefined) {
      return follow(api, {
        url: () => '/api/jobs',
        onEvent: (event) => {
          const { position } = JSON.parse(event.data) as { position?: number };
          if (event.event === 'access') void search().then((page) => jobs.set(() => page), () => undefined);
          // `open` too: what happened while the list was read, or while the stream reconnected.
          else if ((event.event === 'job' || event.event === 'open') && position !== undefined) showNewest(position);
        },
      });
    }
    return follow(api, {
      url: (lastId) => `/api/projects/${projectId}/activity${lastId ? `?after=${lastId}` : ''}`,
      onEvent: (event) => {
        const entry = JSON.parse(event.data) as { type: string; position: number };
        if (entry.type.startsWith('jobs.job.')) showNewest(entry.position);
      },
    });
  }, [projectId, key]);
  /** Across projects, the people who ran jobs the person may see (the lab's members only within a project). */
  const triggerers: PeopleSource = {
    search: async (text) =>
      (await answer(api.jobs.GET('/api/jobs/triggerers', { params: { query: { q: text, limit: 8 } } }))).items.map((person) => ({
        userId: person.id,
        username: person.username ?? person.id,
        displayName: person.displayName ?? person.username ?? person.id,
      })),
    hint: 'People who ran jobs you can see: type the start of their username or name, then pick them.',
    none: 'Nobody who ran a job you can see matches.',
  };
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
          <div>
            <PersonPicker
              key={applied.triggeredBy ?? ''}
              label="Triggered by"
              {...(project ? { lab: project.lab } : { source: triggerers })}
              onPick={(person) => setDraft({ ...draft, triggeredBy: person?.username })}
            />
            {applied.triggeredBy && draft.triggeredBy === applied.triggeredBy && <p class="muted small">Showing the jobs of @{applied.triggeredBy}.</p>}
          </div>
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
      <Card title="Jobs" actions={project && hasCapability(project, 'jobs.run') && <Link class="button button-primary" href={`${base}/run`}>Run a job</Link>}>
        <ProblemMessage problem={jobs.problem ?? more.problem} />
        {jobs.loading && !jobs.data && <Loading what="jobs" />}
        {jobs.data && jobs.data.items.length === 0 && <Empty>No job matches.</Empty>}
        {jobs.data && jobs.data.items.length > 0 && <JobTable jobs={jobs.data.items} />}
        {jobs.data && (
          <p class="muted small" role="status">
            {jobs.data.items.length} job{jobs.data.items.length === 1 ? '' : 's'} shown{jobs.data.nextCursor ? '; older ones follow' : ''}.
            {' New jobs and status changes appear as they happen.'}
          </p>
        )}
        {jobs.data?.nextCursor && (
          <Button busy={more.busy} onClick={() => void more.run(jobs.data!.nextCursor!)}>
            Load more
          </Button>
        )}
      </Card>
    </>
  );
}

/** The newest page read again, over what is shown: its jobs first (new and changed), then the older ones kept. */
export function mergeNewest(shown: JobPage, newest: JobPage): JobPage {
  const fresh = new Set(newest.items.map((job) => job.id));
  const oldestFresh = newest.items.at(-1)?.createdAt;
  // Past the newest page, a job shown keeps its place; within it, the newest page's order holds.
  const older = shown.items.filter((job) => !fresh.has(job.id) && (oldestFresh === undefined || job.createdAt <= oldestFresh));
  return { items: [...newest.items, ...older], nextCursor: shown.nextCursor };
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
  return <JobSearch project={project} base={`/labs/${project.lab}/projects/${project.slug}/jobs`} />;
}
