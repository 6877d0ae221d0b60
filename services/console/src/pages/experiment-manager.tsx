import { useState } from 'preact/hooks';
import { answer, ProblemError, type ProjectsSchemas } from '../api/client';
import { useConsole } from '../ui/context';
import { Table } from '../ui/table';
import { Button, Field } from '../ui/forms';
import { Card, Empty, Loading } from '../ui/layout';
import { usePeople } from '../ui/people';
import { ProblemMessage } from '../ui/problem';
import { useAction, useLoad } from '../ui/use-load';
import { hasCapability, type ProjectPage } from './project-shell';

type Widening = ProjectsSchemas['WideningDto'];

/** A removal waiting for its confirmation; `widening` once the service said who would newly see what. */
interface Removal {
  ids: string[];
  widening?: Widening[];
}

/** An addition the service said would show experiments to more people, waiting for its confirmation. */
interface Addition {
  ids: string[];
  widening: Widening[];
}

/** Who would newly see which experiment, as the service's 409 said; undefined for any other failure. */
function wideningOf(error: unknown): Widening[] | undefined {
  return error instanceof ProblemError ? (error.problem.widening as Widening[] | undefined) : undefined;
}

/**
 * "The experiment manager lists all experiments in the lab, and lets you add / remove experiments to the
 * project. The bulk add/remove functionality is enabled by selecting rows with checkboxes. The filter
 * textbox will search the lab for specific experiments. When you remove a project from an experiment,
 * you'll be asked to confirm your action before it is removed. If doing so will make the experiment
 * visible to more people than it previously was, you will be warned of this."
 */
export function ExperimentManagerPage({ project }: { project: ProjectPage }) {
  const { api } = useConsole();
  const { nameOf } = usePeople(project.lab);
  const [filter, setFilter] = useState('');
  const [selected, setSelected] = useState<Set<string>>(new Set());
  const [removal, setRemoval] = useState<Removal | undefined>();
  const [addition, setAddition] = useState<Addition | undefined>();
  const [done, setDone] = useState<string | undefined>();
  const experiments = useLoad(
    () => answer(api.projects.GET('/api/labs/{lab}/experiments', { params: { path: { lab: project.lab }, query: { limit: 500, ...(filter.trim() ? { q: filter.trim() } : {}) } } })),
    [project.lab, filter],
  );
  const items = experiments.data?.items ?? [];
  const nameOfExperiment = (id: string) => items.find((experiment) => experiment.id === id)?.name ?? id;
  const inProject = (experiment: (typeof items)[number]) => experiment.projects.includes(project.id);
  const chosen = items.filter((experiment) => selected.has(experiment.id));
  const toAdd = chosen.filter((experiment) => !inProject(experiment)).map((experiment) => experiment.id);
  const toRemove = chosen.filter(inProject).map((experiment) => experiment.id);
  const finish = async (message: string) => {
    setSelected(new Set());
    setRemoval(undefined);
    setAddition(undefined);
    setDone(message);
    await experiments.reload();
  };
  const add = useAction(async (ids: string[], confirmWidening: boolean) => {
    try {
      const { linked } = await answer(
        api.projects.POST('/api/projects/{id}/experiments', { params: { path: { id: project.id } }, body: { experimentIds: ids, ...(confirmWidening ? { confirmWidening: true } : {}) } }),
      );
      await finish(`Added ${linked.length} experiment${linked.length === 1 ? '' : 's'} to the project.`);
    } catch (error) {
      const widening = wideningOf(error);
      if (!widening) throw error;
      setAddition({ ids, widening });
    }
  });
  const remove = useAction(async (confirmWidening: boolean) => {
    if (!removal) return;
    try {
      const { unlinked } = await answer(
        api.projects.DELETE('/api/projects/{id}/experiments', { params: { path: { id: project.id } }, body: { experimentIds: removal.ids, ...(confirmWidening ? { confirmWidening: true } : {}) } }),
      );
      await finish(`Removed ${unlinked.length} experiment${unlinked.length === 1 ? '' : 's'} from the project.`);
    } catch (error) {
      const widening = wideningOf(error);
      if (!widening) throw error;
      setRemoval({ ...removal, widening });
    }
  });
  const toggle = (id: string) => {
    setDone(undefined);
    const next = new Set(selected);
    if (next.has(id)) next.delete(id);
    else next.add(id);
    setSelected(next);
  };
  const allShown = items.length > 0 && items.every((experiment) => selected.has(experiment.id));
  const canUnlink = hasCapability(project, 'datasets.unlink');
  const wideningList = (widenings: Widening[]) => (
    <ul class="effects">
      {widenings.map((widening) => (
        <li key={widening.experimentId}>
          <strong>{nameOfExperiment(widening.experimentId)}</strong> would newly be visible to {widening.newlyVisibleTo.map(nameOf).join(', ')}.
        </li>
      ))}
    </ul>
  );
  return (
    <>
      {addition && (
        <Card title="More people would see these experiments" id="confirm-addition">
          <p>Adding them to <strong>{project.name}</strong> makes experiments visible to people who cannot see them now:</p>
          {wideningList(addition.widening)}
          <ProblemMessage problem={add.problem} />
          <div class="form-actions">
            <Button variant="danger" busy={add.busy} onClick={() => void add.run(addition.ids, true)}>
              Add anyway
            </Button>
            <Button onClick={() => setAddition(undefined)}>Cancel</Button>
          </div>
        </Card>
      )}
      {removal && (
        <Card title={removal.widening ? 'More people would see these experiments' : 'Remove from the project?'} id="confirm-removal">
          {removal.widening ? (
            <>
              <p>Removing them makes experiments visible to people who cannot see them now:</p>
              {wideningList(removal.widening)}
            </>
          ) : (
            <p>
              Remove {removal.ids.map(nameOfExperiment).join(', ')} from <strong>{project.name}</strong>? People who see them only through this project will no longer
              see them here.
            </p>
          )}
          <ProblemMessage problem={remove.problem} />
          <div class="form-actions">
            <Button variant="danger" busy={remove.busy} onClick={() => void remove.run(removal.widening !== undefined)}>
              {removal.widening ? 'Remove anyway' : 'Remove'}
            </Button>
            <Button onClick={() => setRemoval(undefined)}>Cancel</Button>
          </div>
        </Card>
      )}
      <Card title="All experiments of the lab">
        <div class="toolbar">
          <form role="search" onSubmit={(event) => event.preventDefault()}>
            <Field label="Filter the lab’s experiments">
              {(control) => <input {...control} type="search" value={filter} placeholder="Name begins with…" onInput={(event) => setFilter(event.currentTarget.value)} />}
            </Field>
          </form>
          <div class="toolbar-actions">
            <Button variant="primary" disabled={toAdd.length === 0 || addition !== undefined} busy={add.busy} onClick={() => void add.run(toAdd, false)}>
              Add to project{toAdd.length > 0 ? ` (${toAdd.length})` : ''}
            </Button>
            {canUnlink && (
              <Button variant="danger" disabled={toRemove.length === 0 || removal !== undefined} onClick={() => setRemoval({ ids: toRemove })}>
                Remove from project{toRemove.length > 0 ? ` (${toRemove.length})` : ''}
              </Button>
            )}
          </div>
        </div>
        {done && (
          <p class="notice" role="status">
            {done}
          </p>
        )}
        <ProblemMessage problem={experiments.problem ?? (addition ? undefined : add.problem)} />
        {experiments.loading && !experiments.data && <Loading what="the lab’s experiments" />}
        {experiments.data && items.length === 0 && <Empty>{filter ? 'No experiment of the lab matches.' : 'The lab has no experiments you can see.'}</Empty>}
        {items.length > 0 && (
          <Table
            caption="Experiments of the lab; select rows to add or remove them"
            columns={[
              {
                label: (
                  <input
                    type="checkbox"
                    aria-label="Select every experiment shown"
                    checked={allShown}
                    onChange={() => setSelected(allShown ? new Set() : new Set(items.map((experiment) => experiment.id)))}
                  />
                ),
                class: 'select',
              },
              'Experiment',
              'In this project',
              'Other projects',
            ]}
          >
              {items.map((experiment) => (
                <tr key={experiment.id} class={selected.has(experiment.id) ? 'selected' : ''}>
                  <td class="select">
                    <input type="checkbox" aria-label={`Select ${experiment.name}`} checked={selected.has(experiment.id)} onChange={() => toggle(experiment.id)} />
                  </td>
                  <td>
                    <strong>{experiment.name}</strong>
                    {experiment.description && <div class="muted small">{experiment.description}</div>}
                  </td>
                  <td>{inProject(experiment) ? <span class="badge badge-role">In project</span> : <span class="muted">No</span>}</td>
                  <td>{experiment.projects.filter((id) => id !== project.id).length || '—'}</td>
                </tr>
              ))}
            </Table>
        )}
      </Card>
    </>
  );
}
