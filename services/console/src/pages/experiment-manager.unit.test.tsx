import { fireEvent, screen, waitFor } from '@testing-library/preact';
import { renderInConsole, stubPlatform } from '../testing/console-harness';
import { ExperimentManagerPage } from './experiment-manager';
import type { ProjectPage } from './project-shell';

const project = {
  id: 'p-1',
  lab: 'sundog',
  slug: 'stacks',
  name: 'Stacks',
  you: { role: 'owner', via: 'explicit', capabilities: ['project.read', 'datasets.link', 'datasets.unlink'] },
} as ProjectPage;

const experiment = (id: string, name: string, projects: string[]) => ({ id, lab: 'sundog', name, description: '', createdBy: 'u-bob', createdAt: '2026-01-06T09:00:00Z', projects });

/** The service's answer to a change that would show `experimentId` to Erin, who cannot see it now. */
const widens = (change: 'link' | 'unlink', experimentId: string) => ({
  status: 409,
  body: {
    type: `urn:cairn:problem:experiments.${change}-widens-visibility`,
    title: 'Conflict',
    status: 409,
    detail: '1 experiment(s) would become visible to more people; confirm to go ahead',
    rule: `experiments.${change}-widens-visibility`,
    widening: [{ experimentId, newlyVisibleTo: ['u-erin'] }],
  },
});

function manager() {
  const stub = stubPlatform({
    'GET /api/labs/sundog/experiments': ({ query }) => ({
      body: { items: [experiment('e-1', 'Apoferritin', ['p-1']), experiment('e-2', 'Beta-galactosidase', []), experiment('e-3', 'Catalase', ['p-2'])].filter((e) => e.name.toLowerCase().startsWith((query.get('q') ?? '').toLowerCase())), nextCursor: null },
    }),
    'GET /api/labs/sundog/members': { body: { items: [{ lab: 'sundog', userId: 'u-erin', username: 'erin', displayName: 'Erin Evans', admin: false }], nextCursor: null } },
    'POST /api/projects/p-1/experiments': ({ body }) => {
      const { experimentIds, confirmWidening } = body as { experimentIds: string[]; confirmWidening?: boolean };
      return experimentIds.includes('e-3') && !confirmWidening ? widens('link', 'e-3') : { body: { linked: experimentIds } };
    },
    'DELETE /api/projects/p-1/experiments': ({ body }) => ((body as { confirmWidening?: boolean }).confirmWidening ? { body: { unlinked: ['e-1'] } } : widens('unlink', 'e-1')),
  });
  renderInConsole(<ExperimentManagerPage project={project} />, stub);
  return stub;
}

describe('the experiment manager (docs/requirements.md L-16, L-17)', () => {
  it('"the filter textbox will search the lab"; rows selected with checkboxes are added in bulk', async () => {
    const stub = manager();
    await screen.findByText('Beta-galactosidase');
    fireEvent.input(screen.getByLabelText('Filter the lab’s experiments'), { target: { value: 'bet' } });
    await waitFor(() => expect(screen.queryByText('Apoferritin')).toBeNull());
    expect(stub.calls('GET', '/api/labs/sundog/experiments').at(-1)?.query.get('q')).toBe('bet');
    fireEvent.click(screen.getByRole('checkbox', { name: 'Select Beta-galactosidase' }));
    fireEvent.click(screen.getByRole('button', { name: 'Add to project (1)' }));
    await screen.findByText('Added 1 experiment to the project.');
    expect(stub.calls('POST', '/api/projects/p-1/experiments')[0].body).toEqual({ experimentIds: ['e-2'] });
  });

  it('removal is confirmed first; when it widens who sees an experiment, the warning names them before "Remove anyway"', async () => {
    const stub = manager();
    fireEvent.click(await screen.findByRole('checkbox', { name: 'Select Apoferritin' }));
    fireEvent.click(screen.getByRole('button', { name: 'Remove from project (1)' }));
    expect(screen.getByText('Remove from the project?')).toBeTruthy();
    expect(stub.calls('DELETE', '/api/projects/p-1/experiments')).toEqual([]);
    fireEvent.click(screen.getByRole('button', { name: 'Remove' }));

    await screen.findByText('More people would see these experiments');
    expect(screen.getByText(/would newly be visible to/).textContent).toBe('Apoferritin would newly be visible to Erin Evans.');
    fireEvent.click(screen.getByRole('button', { name: 'Remove anyway' }));
    await screen.findByText('Removed 1 experiment from the project.');
    expect(stub.calls('DELETE', '/api/projects/p-1/experiments').map((call) => call.body)).toEqual([
      { experimentIds: ['e-1'] },
      { experimentIds: ['e-1'], confirmWidening: true },
    ]);
  });

  it('an addition that widens who sees an experiment is warned about the same way, naming them before "Add anyway"', async () => {
    const stub = manager();
    fireEvent.click(await screen.findByRole('checkbox', { name: 'Select Catalase' }));
    fireEvent.click(screen.getByRole('button', { name: 'Add to project (1)' }));

    await screen.findByText('More people would see these experiments');
    expect(screen.getByText(/would newly be visible to/).textContent).toBe('Catalase would newly be visible to Erin Evans.');
    fireEvent.click(screen.getByRole('button', { name: 'Add anyway' }));
    await screen.findByText('Added 1 experiment to the project.');
    expect(stub.calls('POST', '/api/projects/p-1/experiments').map((call) => call.body)).toEqual([
      { experimentIds: ['e-3'] },
      { experimentIds: ['e-3'], confirmWidening: true },
    ]);
  });
});
