import { useState } from 'preact/hooks';
import { answer } from '../api/client';
import { Link } from '../router';
import { CommentThread } from '../ui/comments';
import { useConsole } from '../ui/context';
import { Table } from '../ui/table';
import { Button, Field } from '../ui/forms';
import { Card, Empty, Loading, Time } from '../ui/layout';
import { usePeople } from '../ui/people';
import { fieldProblem, ProblemMessage } from '../ui/problem';
import { useAction, useLoad } from '../ui/use-load';
import { datasetWords } from '../words';
import { hasCapability, type ProjectPage } from './project-shell';

const PAGE_SIZE = 20;

/** A new lab experiment, added to this project at once. */
function NewExperimentForm({ project, onCreated, onCancel }: { project: ProjectPage; onCreated(): Promise<void>; onCancel(): void }) {
  const { api } = useConsole();
  const [name, setName] = useState('');
  const [description, setDescription] = useState('');
  const create = useAction(async () => {
    const experiment = await answer(api.projects.POST('/api/labs/{lab}/experiments', { params: { path: { lab: project.lab } }, body: { name, ...(description.trim() ? { description } : {}) } }));
    await answer(api.projects.POST('/api/projects/{id}/experiments', { params: { path: { id: project.id } }, body: { experimentIds: [experiment.id] } }));
    await onCreated();
  });
  return (
    <Card title={`New ${datasetWords(project.scheme).singular}`} id="new-experiment">
      <form
        onSubmit={(event) => {
          event.preventDefault();
          void create.run();
        }}
      >
        <ProblemMessage problem={create.problem} />
        <Field label="Name" error={fieldProblem(create.problem, 'name')}>
          {(control) => <input {...control} value={name} required onInput={(event) => setName(event.currentTarget.value)} />}
        </Field>
        <Field label="Description" error={fieldProblem(create.problem, 'description')}>
          {(control) => <textarea {...control} rows={2} value={description} onInput={(event) => setDescription(event.currentTarget.value)} />}
        </Field>
        <div class="form-actions">
          <Button type="submit" variant="primary" busy={create.busy}>
            Create and add to project
          </Button>
          <Button onClick={onCancel}>Cancel</Button>
        </div>
      </form>
    </Card>
  );
}

/**
 * "The experiments page in a project lists and paginates all the experiments in a project. The buttons
 * top right give you a shortcut to creating a new experiment in this project, and to the experiment manager."
 */
export function ExperimentsPage({ project }: { project: ProjectPage }) {
  const { api } = useConsole();
  const { nameOf } = usePeople(project.lab);
  const [page, setPage] = useState(1);
  const [creating, setCreating] = useState(false);
  const [discussing, setDiscussing] = useState<string | undefined>();
  const experiments = useLoad(
    () => answer(api.projects.GET('/api/projects/{id}/experiments', { params: { path: { id: project.id }, query: { page, pageSize: PAGE_SIZE } } })),
    [project.id, page],
  );
  const canLink = hasCapability(project, 'datasets.link');
  const words = datasetWords(project.scheme);
  const pages = experiments.data ? Math.max(1, Math.ceil(experiments.data.total / PAGE_SIZE)) : 1;
  return (
    <>
      {creating && (
        <NewExperimentForm
          project={project}
          onCancel={() => setCreating(false)}
          onCreated={async () => {
            setCreating(false);
            setPage(1);
            await experiments.reload();
          }}
        />
      )}
      <Card
        title={`${words.plural}${experiments.data ? ` (${experiments.data.total})` : ''}`}
        actions={
          canLink && (
            <>
              {!creating && (
                <Button variant="primary" onClick={() => setCreating(true)}>
                  New {words.singular}
                </Button>
              )}
              <Link class="button button-secondary" href={`/labs/${project.lab}/projects/${project.slug}/experiments/manage`}>
                {words.manager}
              </Link>
            </>
          )
        }
      >
        <ProblemMessage problem={experiments.problem} />
        {experiments.loading && !experiments.data && <Loading what={words.plural.toLowerCase()} />}
        {experiments.data && experiments.data.items.length === 0 && <Empty>No {words.plural.toLowerCase()} in this project yet.</Empty>}
        {experiments.data && experiments.data.items.length > 0 && (
          <Table caption={`${words.plural} of the project, newest first`} columns={[words.one, 'Created by', 'Created', { label: 'Comments', hidden: true }]}>
              {experiments.data.items.map((experiment) => [
                <tr key={experiment.id}>
                  <td>
                    <strong>{experiment.name}</strong>
                    {experiment.description && <div class="muted small">{experiment.description}</div>}
                  </td>
                  <td>{nameOf(experiment.createdBy)}</td>
                  <td>
                    <Time iso={experiment.createdAt} />
                  </td>
                  <td class="actions">
                    <Button
                      variant="quiet"
                      aria-expanded={discussing === experiment.id}
                      onClick={() => setDiscussing(discussing === experiment.id ? undefined : experiment.id)}
                      aria-label={`Comments on ${experiment.name}`}
                    >
                      Comments
                    </Button>
                  </td>
                </tr>,
                discussing === experiment.id && (
                  <tr key={`${experiment.id}-comments`} class="comments-row">
                    <td colSpan={4}>
                      <CommentThread target={{ kind: 'experiment', id: experiment.id, projectId: project.id }} canWrite={hasCapability(project, 'comments.write')} label={`Comments on ${experiment.name}`} />
                    </td>
                  </tr>
                ),
              ])}
            </Table>
        )}
        {pages > 1 && (
          <nav class="pager" aria-label="Experiment pages">
            <Button onClick={() => setPage(page - 1)} disabled={page <= 1}>
              Previous
            </Button>
            <span>
              Page {page} of {pages}
            </span>
            <Button onClick={() => setPage(page + 1)} disabled={page >= pages}>
              Next
            </Button>
          </nav>
        )}
      </Card>
    </>
  );
}
