import type { ComponentChildren } from 'preact';
import { answer, type ProjectsSchemas } from '../api/client';
import { Link } from '../router';
import { useConsole } from '../ui/context';
import { Loading, PageHeader } from '../ui/layout';
import { ProblemMessage } from '../ui/problem';
import { schemeWords } from '../ui/schemes';
import { useLoad } from '../ui/use-load';
import { datasetWords, roleLabel } from '../words';

export type ProjectPage = ProjectsSchemas['ProjectPageDto'];

/** The pages of a project, as the guides name them; the auditor's view only for those who audit it. */
function tabsFor(project: ProjectPage, facilityAdmin: boolean): [string, string][] {
  const tabs: [string, string][] = [
    ['', 'Overview'],
    ['/experiments', datasetWords(project.scheme).plural],
    ['/files', 'Files'],
    ['/jobs', 'Jobs'],
    ['/logbook', 'Logbook'],
    ['/users', 'Users'],
  ];
  if (facilityAdmin || project.you.capabilities.includes('access.manage')) tabs.push(['/audit', 'Access history']);
  if (hasCapability(project, 'project.update') || hasCapability(project, 'project.delete')) tabs.push(['/settings', 'Settings']);
  return tabs;
}

/** The page titles of a project's tabs; the experiments' are the scheme's words. */
const titlesFor = (scheme: string): Record<string, string> => ({
  ...TITLES,
  '/experiments': datasetWords(scheme).plural,
  '/experiments/manage': datasetWords(scheme).manager,
});

const TITLES: Record<string, string> = {
  '': '',
  '/users': 'Users',
  '/files': 'Files',
  '/jobs': 'Jobs',
  '/jobs/run': 'Run a job',
  '/logbook': 'Logbook',
  '/audit': 'Access history',
  '/settings': 'Settings',
};

export function hasCapability(project: ProjectPage, capability: string): boolean {
  return project.you.capabilities.includes(capability as ProjectPage['you']['capabilities'][number]);
}

/**
 * A project's frame: its name, the caller's role, and the projects sub-menu ("the projects sub-menu
 * throughout links to pages listing experiments and users in the project"); the page itself gets the
 * project as the projects service answers it.
 */
export function ProjectShell({ lab, slug, tab, children }: { lab: string; slug: string; tab: string; children: (project: ProjectPage, reload: () => Promise<void>) => ComponentChildren }) {
  const { api, session } = useConsole();
  const project = useLoad(() => answer(api.projects.GET('/api/projects/{idOrSlug}', { params: { path: { idOrSlug: slug }, query: { lab } } })), [lab, slug]);
  const base = `/labs/${lab}/projects/${slug}`;
  if (!project.data) {
    return (
      <>
        <PageHeader title={project.problem ? 'Project not available' : 'Project'} eyebrow={<Link href={`/labs/${lab}/projects`}>Projects</Link>} />
        <ProblemMessage problem={project.problem} />
        {project.loading && <Loading what="the project" />}
      </>
    );
  }
  const page = project.data;
  const titles = titlesFor(page.scheme);
  const title = titles[tab] ? `${titles[tab]} · ${page.name}` : page.name;
  return (
    <>
      <PageHeader
        title={titles[tab] || page.name}
        eyebrow={
          <>
            <Link href={`/labs/${lab}/projects`}>Projects</Link> / {titles[tab] ? <Link href={base}>{page.name}</Link> : page.slug}
          </>
        }
        subtitle={
          <>
            <span class="badge">{schemeWords(page.scheme).title} scheme</span>
            {page.baseLevel && <span class="badge badge-quiet">Base level: {roleLabel(page.baseLevel)}</span>}
            <span class="badge badge-role">
              Your role: {roleLabel(page.you.role)}
              {page.you.via === 'base-level' ? ' (base level)' : ''}
            </span>
          </>
        }
      />
      <nav aria-label="Project" class="tabs">
        {tabsFor(page, session.person.facilityAdmin).map(([tail, label]) => (
          <Link key={tail} href={`${base}${tail}`} aria-current={tab === tail || (tail !== '' && tab.startsWith(`${tail}/`)) ? 'page' : undefined}>
            {label}
          </Link>
        ))}
      </nav>
      <div data-page-title={title}>{children(page, project.reload)}</div>
    </>
  );
}
