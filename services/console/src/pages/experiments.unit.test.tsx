import { screen } from '@testing-library/preact';
import { renderInConsole, stubPlatform } from '../testing/console-harness';
import { ExperimentsPage } from './experiments';
import type { ProjectPage } from './project-shell';

const projectOf = (scheme: string) =>
  ({
    id: 'p-1',
    lab: 'sundog',
    slug: 'stacks',
    name: 'Stacks',
    scheme,
    you: { role: 'owner', via: 'explicit', capabilities: ['project.read', 'datasets.link', 'comments.write'] },
  }) as ProjectPage;

function page(scheme: string) {
  const stub = stubPlatform({
    'GET /api/projects/p-1/experiments': {
      body: { items: [{ id: 'e-1', lab: 'sundog', name: 'Grid 7 frames', description: '', createdBy: 'u-bob', createdAt: '2026-01-06T09:00:00Z', projects: ['p-1'] }], total: 1, page: 1, pageSize: 20 },
    },
    'GET /api/labs/sundog/members': { body: { items: [], nextCursor: null } },
  });
  renderInConsole(<ExperimentsPage project={projectOf(scheme)} />, stub);
}

describe('a project\'s experiments: "Linked datasets" in facility projects, "Experiments" in lab projects (issue #23 part 4)', () => {
  it('a facility project says "Linked datasets", as the facility guide\'s Manager "manages linked datasets"', async () => {
    page('facility');
    expect(await screen.findByRole('heading', { name: 'Linked datasets (1)' })).toBeTruthy();
    expect(screen.getByRole('button', { name: 'New linked dataset' })).toBeTruthy();
    expect(screen.getByRole('link', { name: 'Dataset manager' })).toBeTruthy();
    expect(screen.queryByText(/Experiment/)).toBeNull();
  });

  it('a lab project says "Experiments", as the lab guide does', async () => {
    page('lab');
    expect(await screen.findByRole('heading', { name: 'Experiments (1)' })).toBeTruthy();
    expect(screen.getByRole('button', { name: 'New experiment' })).toBeTruthy();
    expect(screen.getByRole('link', { name: 'Experiment manager' })).toBeTruthy();
  });
});
