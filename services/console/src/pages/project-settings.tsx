import { useState } from 'preact/hooks';
import { answer, ProblemError } from '../api/client';
import { navigate } from '../router';
import { useConsole } from '../ui/context';
import { Button, Field } from '../ui/forms';
import { Card, Loading } from '../ui/layout';
import { fieldProblem, ProblemMessage } from '../ui/problem';
import { useAction, useLoad } from '../ui/use-load';
import { hasCapability, type ProjectPage } from './project-shell';

interface Edit {
  name: string;
  description: string;
}

const ifMatch = (etag: string | undefined): Record<string, string> => (etag ? { 'if-match': etag } : {});

/** The project as it is now, with the version (its `ETag`) a change is decided on. */
function useCurrentProject(projectId: string) {
  const { api } = useConsole();
  return useLoad(async () => {
    const call = api.projects.GET('/api/projects/{idOrSlug}', { params: { path: { idOrSlug: projectId } } });
    const page = await answer(call);
    return { name: page.name, description: page.description, etag: (await call).response.headers.get('etag') ?? undefined };
  }, [projectId]);
}

/**
 * The owner edits the name and description on the version read (`If-Match`): when someone else changed
 * the project meanwhile (412), their change is shown beside the edit, which is kept to send again.
 */
type CurrentProject = ReturnType<typeof useCurrentProject>;

function EditProject({ project, current, reloadProject }: { project: ProjectPage; current: CurrentProject; reloadProject(): Promise<void> }) {
  const { api } = useConsole();
  const [edit, setEdit] = useState<Edit | undefined>();
  const [theirs, setTheirs] = useState<Edit | undefined>();
  const [saved, setSaved] = useState(false);
  const shown = edit ?? (current.data && { name: current.data.name, description: current.data.description });
  const save = useAction(async (change: Edit, etag: string | undefined) => {
    setSaved(false);
    try {
      await answer(api.projects.PATCH('/api/projects/{id}', { params: { path: { id: project.id } }, headers: ifMatch(etag), body: change }));
    } catch (error) {
      if (error instanceof ProblemError && error.problem.status === 412) {
        await current.reload();
        const now = await answer(api.projects.GET('/api/projects/{idOrSlug}', { params: { path: { idOrSlug: project.id } } }));
        setTheirs({ name: now.name, description: now.description });
      }
      throw error;
    }
    setTheirs(undefined);
    setEdit(undefined);
    setSaved(true);
    await current.reload();
    await reloadProject();
  });
  if (!shown) return <Loading what="the project" />;
  const set = (name: keyof Edit) => (event: Event) => setEdit({ ...shown, [name]: (event.currentTarget as HTMLInputElement).value });
  return (
    <form
      onSubmit={(event) => {
        event.preventDefault();
        void save.run(shown, current.data?.etag);
      }}
    >
      <Field label="Name" error={fieldProblem(save.problem, 'name')}>
        {(control) => <input {...control} value={shown.name} required maxLength={120} onInput={set('name')} />}
      </Field>
      <Field label="Description" hint="Markdown: the goal and the dataset, as the overview shows it." error={fieldProblem(save.problem, 'description')}>
        {(control) => <textarea {...control} rows={6} maxLength={5000} value={shown.description} onInput={set('description')} />}
      </Field>
      {theirs ? (
        <div class="problem" role="alert">
          <p class="problem-headline">Someone else changed the project while you were editing. Your edit is kept here; saving again replaces theirs.</p>
          <dl class="facts">
            <dt>Their name</dt>
            <dd>{theirs.name}</dd>
            <dt>Their description</dt>
            <dd class="pre-wrap">{theirs.description || '(empty)'}</dd>
          </dl>
        </div>
      ) : (
        <ProblemMessage problem={save.problem} />
      )}
      {saved && (
        <p role="status" class="gains">
          Saved.
        </p>
      )}
      <div class="form-actions">
        <Button type="submit" variant="primary" busy={save.busy}>
          Save changes
        </Button>
      </div>
    </form>
  );
}

/** Deleting takes typing the slug: a deliberate act, with what happens to the project's data said first. */
function DeleteProject({ project, current }: { project: ProjectPage; current: CurrentProject }) {
  const { api } = useConsole();
  const [typed, setTyped] = useState('');
  const remove = useAction(async () => {
    try {
      await answer(api.projects.DELETE('/api/projects/{id}', { params: { path: { id: project.id } }, headers: ifMatch(current.data?.etag), body: {} }));
    } catch (error) {
      // Changed since it was read: the page shows it as it is now, and deleting it is asked again.
      if (error instanceof ProblemError && error.problem.status === 412) await current.reload();
      throw error;
    }
    navigate(`/labs/${project.lab}/projects`);
  });
  return (
    <form
      onSubmit={(event) => {
        event.preventDefault();
        void remove.run();
      }}
    >
      <p>What deleting does:</p>
      <ul>
        <li>The project leaves the lab’s list of projects and accepts no further change: no uploads, no deletion requests, no edits.</li>
        <li>Nothing is erased: its files, its jobs and their outputs, and its logbook stay in the platform’s record, which the access history and audits read.</li>
        <li>It cannot be undone from the console.</li>
      </ul>
      <Field label={`Type the project’s slug, ${project.slug}, to confirm`}>
        {(control) => <input {...control} value={typed} autoComplete="off" spellcheck={false} onInput={(event) => setTyped(event.currentTarget.value)} />}
      </Field>
      <ProblemMessage problem={remove.problem} />
      <Button type="submit" variant="danger" busy={remove.busy} disabled={typed !== project.slug || !current.data}>
        Delete this project
      </Button>
    </form>
  );
}

/** The owner's settings: edit the name and description, or delete the project. */
export function ProjectSettingsPage({ project, reloadProject }: { project: ProjectPage; reloadProject(): Promise<void> }) {
  // One read for both: the version deleting is decided on is the one the edit left.
  const current = useCurrentProject(project.id);
  return (
    <>
      {hasCapability(project, 'project.update') && (
        <Card title="Name and description" id="edit">
          <EditProject project={project} current={current} reloadProject={reloadProject} />
        </Card>
      )}
      {hasCapability(project, 'project.delete') && (
        <Card title="Delete the project" id="delete">
          <DeleteProject project={project} current={current} />
        </Card>
      )}
      {!hasCapability(project, 'project.update') && !hasCapability(project, 'project.delete') && <p class="muted">Only the project’s owner changes its settings.</p>}
    </>
  );
}
