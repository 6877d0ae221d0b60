import { useEffect } from 'preact/hooks';
import type { ProjectsSchemas } from '../api/client';
import { follow } from '../api/live';
import { Link } from '../router';
import { useConsole } from '../ui/context';
import { Card, Empty, Time } from '../ui/layout';
import { Markdown } from '../ui/markdown';
import { usePeople } from '../ui/people';
import { useLoad } from '../ui/use-load';
import { describeActivity, roleLabel } from '../words';
import { hasCapability, type ProjectPage } from './project-shell';

type Activity = ProjectsSchemas['ActivityDto'];

/** The project's activity from every service, newest first, kept up to date by server-sent events. */
export function LiveActivity({ project, lab }: { project: ProjectPage; lab: string }) {
  const { api } = useConsole();
  const { nameOf } = usePeople(lab);
  const entries = useLoad(async () => project.latestActivity, [project.id]);
  useEffect(() => {
    const newest = project.latestActivity[0]?.position;
    return follow(api, {
      url: (lastId) => `/api/projects/${project.id}/activity${(lastId ?? newest) === undefined ? "" : `?after=${lastId ?? newest}`}`,
      onEvent: (event) => {
        if (event.event !== 'activity') return;
        const entry = JSON.parse(event.data) as Activity;
        entries.set((current) => [entry, ...(current ?? []).filter((known) => known.id !== entry.id)].slice(0, 50));
      },
    });
  }, [project.id]);
  const list = entries.data ?? [];
  return (
    <Card title="Activity" id="activity" actions={<span class="live-dot">Live</span>}>
      {list.length === 0 && <Empty>Nothing has happened yet.</Empty>}
      <ol class="activity" aria-live="polite" aria-relevant="additions">
        {list.map((entry) => (
          <li key={entry.id} class={`activity-${entry.context}`}>
            <span class="activity-context">{entry.context}</span>
            <span class="activity-text">{describeActivity(entry, nameOf)}</span>
            <Time iso={entry.at} />
          </li>
        ))}
      </ol>
    </Card>
  );
}

/** "An individual project page shows a description of the project, latest experiments and activity within the project, plus the users who have access to the project." */
export function ProjectOverviewPage({ project }: { project: ProjectPage }) {
  const base = `/labs/${project.lab}/projects/${project.slug}`;
  const explicit = project.people.filter((person) => person.via === 'explicit');
  const viaBase = project.people.filter((person) => person.via === 'base-level');
  return (
    <div class="columns">
      <div class="column-main">
        <Card title="About">
          {project.description ? (
            <Markdown text={project.description} />
          ) : (
            <Empty>No description yet.</Empty>
          )}
        </Card>
        <Card
          title="Latest experiments"
          actions={
            <>
              <Link href={`${base}/experiments`}>All experiments</Link>
              {hasCapability(project, 'datasets.link') && <Link href={`${base}/experiments/manage`}>Experiment manager</Link>}
            </>
          }
        >
          {project.latestExperiments.length === 0 ? (
            <Empty>No experiments in this project yet.</Empty>
          ) : (
            <ul class="plain-list">
              {project.latestExperiments.map((experiment) => (
                <li key={experiment.id}>
                  <strong>{experiment.name}</strong> <span class="muted">{experiment.description}</span> <Time iso={experiment.createdAt} />
                </li>
              ))}
            </ul>
          )}
        </Card>
        <LiveActivity project={project} lab={project.lab} />
      </div>
      <aside class="column-side" aria-label="People">
        <Card title="People with access" actions={<Link href={`${base}/users`}>Manage access</Link>}>
          <ul class="people">
            {[...explicit, ...viaBase].map((person) => (
              <li key={person.userId}>
                <span class="avatar avatar-small" aria-hidden="true">
                  {(person.displayName ?? person.userId).charAt(0)}
                </span>
                <span class="person-name">{person.displayName ?? person.userId}</span>
                <span class="badge badge-role">
                  {roleLabel(person.role)}
                  {person.via === 'base-level' ? ' · base level' : ''}
                </span>
              </li>
            ))}
          </ul>
        </Card>
      </aside>
    </div>
  );
}
