import type { ComponentChildren } from 'preact';
import { useEffect, useMemo, useRef, useState } from 'preact/hooks';
import { createApi, type Api } from './api/client';
import type { ConsoleConfig } from './config';
import { LabMembersPage } from './pages/lab-members';
import { JobPage } from './pages/job';
import { JobsPage, ProjectJobsPage } from './pages/jobs';
import { LabsPage } from './pages/labs';
import { LogbookPage } from './pages/logbook';
import { AuditPage } from './pages/audit';
import { ExperimentManagerPage } from './pages/experiment-manager';
import { ExperimentsPage } from './pages/experiments';
import { FilesPage } from './pages/files';
import { ProjectShell } from './pages/project-shell';
import { ProjectOverviewPage } from './pages/project-overview';
import { ProjectsPage } from './pages/projects';
import { RerunPage } from './pages/rerun';
import { SignInPage, OidcCallbackPage } from './pages/sign-in';
import { UsersPage } from './pages/users';
import { Link, match, navigate, useLocation } from './router';
import { CALLBACK_PATH } from './session/oidc';
import { forgetSession, storedSession, type Session } from './session/session';
import { AccountMenu } from './ui/account-menu';
import { ConsoleContext, type ConsoleContextValue } from './ui/context';
import type { ProjectPage } from './pages/project-shell';
import { ProjectSettingsPage } from './pages/project-settings';
import { RunJobPage } from './pages/run-job';

type Page = (params: Record<string, string>) => ComponentChildren;
type ProjectPageView = (project: ProjectPage, reload: () => Promise<void>) => ComponentChildren;

const projectPages: [string, ProjectPageView][] = [
  ['', (project) => <ProjectOverviewPage project={project} />],
  ['/users', (project, reload) => <UsersPage project={project} reloadProject={reload} />],
  ['/experiments', (project) => <ExperimentsPage project={project} />],
  ['/experiments/manage', (project) => <ExperimentManagerPage project={project} />],
  ['/files', (project) => <FilesPage project={project} />],
  ['/jobs', (project) => <ProjectJobsPage project={project} />],
  ['/jobs/run', (project) => <RunJobPage project={project} />],
  ['/logbook', (project) => <LogbookPage project={project} />],
  ['/audit', (project) => <AuditPage project={project} />],
  ['/settings', (project, reload) => <ProjectSettingsPage project={project} reloadProject={reload} />],
];

/** Every page by its URL: each guide page has its own, so it can be linked, bookmarked and reloaded. */
export const ROUTES: [string, Page][] = [
  ['/', () => <Redirect to="/labs" />],
  ['/labs', () => <LabsPage />],
  ['/labs/:lab', ({ lab }) => <Redirect to={`/labs/${lab}/projects`} />],
  ['/labs/:lab/projects', ({ lab }) => <ProjectsPage lab={lab} />],
  ['/labs/:lab/members', ({ lab }) => <LabMembersPage lab={lab} />],
  ['/jobs', () => <JobsPage />],
  ['/jobs/:jobId', ({ jobId }) => <JobPage jobId={jobId} />],
  ['/jobs/:jobId/rerun', ({ jobId }) => <RerunPage jobId={jobId} />],
  ...projectPages.map(([tail, view]): [string, Page] => [
    `/labs/:lab/projects/:slug${tail}`,
    ({ lab, slug }) => <ProjectShell lab={lab} slug={slug} tab={tail}>{view}</ProjectShell>,
  ]),
];

function Redirect({ to }: { to: string }) {
  useEffect(() => navigate(to, { replace: true }), [to]);
  return null;
}

function NotFound({ path }: { path: string }) {
  return (
    <div class="card">
      <h1 tabIndex={-1}>No such page</h1>
      <p>
        There is no page at <code>{path}</code>. <Link href="/labs">Go to your labs</Link>.
      </p>
    </div>
  );
}

export function Routes({ path }: { path: string }) {
  for (const [pattern, page] of ROUTES) {
    const params = match(pattern, path);
    if (params) return <>{page(params)}</>;
  }
  return <NotFound path={path} />;
}

/** The signed-in frame: a skip link, the top bar with the main sections and the account, then the page. */
function Shell({ children }: { children: ComponentChildren }) {
  return (
    <>
      <a class="skip-link" href="#main">
        Skip to content
      </a>
      <header class="topbar">
        <Link href="/labs" class="brand">
          <span aria-hidden="true" class="brand-mark">
            ◭
          </span>{' '}
          Cairn
        </Link>
        <nav aria-label="Main" class="topnav">
          <Link href="/labs">Projects</Link>
          {/* The guide's words: "Go to Analysis → Jobs". */}
          <Link href="/jobs">
            <span class="nav-section">Analysis</span> → Jobs
          </Link>
        </nav>
        <AccountMenu />
      </header>
      <main id="main" class="main">
        {children}
      </main>
    </>
  );
}

export function App({ config, api: given }: { config: ConsoleConfig; api?: Api }) {
  const { path, query } = useLocation();
  const [session, setSession] = useState<Session | undefined>(() => storedSession());
  const token = useRef(session?.token);
  token.current = session?.token;
  const api = useMemo(
    () => given ?? createApi({ baseUrl: location.origin, token: () => token.current, onUnauthorized: () => setSession(undefined) }),
    [given],
  );
  if (path === CALLBACK_PATH) return <OidcCallbackPage config={config} onSignedIn={setSession} />;
  if (path === '/sign-in' || !session) {
    const returnTo = path === '/sign-in' ? (query.get('to') ?? '/labs') : `${path}${location.search}`;
    return <SignInPage config={config} as={query.get('as') ?? undefined} returnTo={returnTo} onSignedIn={setSession} />;
  }
  const context: ConsoleContextValue = {
    api,
    config,
    session,
    signOut: () => {
      forgetSession();
      setSession(undefined);
      navigate('/sign-in');
    },
  };
  return (
    <ConsoleContext.Provider value={context}>
      <Shell>
        <Routes path={path} />
      </Shell>
    </ConsoleContext.Provider>
  );
}
