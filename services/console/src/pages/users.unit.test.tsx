import { roleSchemes } from '@cairn/contracts';
import { fireEvent, screen, waitFor, within } from '@testing-library/preact';
import type { AccessSchemas } from '../api/client';
import { renderInConsole, stubPlatform } from '../testing/console-harness';
import type { ProjectPage } from './project-shell';
import { UsersPage } from './users';

const project = {
  id: 'p-1',
  lab: 'crystallography',
  slug: 'lysozyme-2026',
  name: 'Lysozyme 2026',
  description: '',
  scheme: 'facility',
  status: 'active',
  createdBy: 'u-bob',
  createdAt: '2026-01-06T09:00:00Z',
  updatedAt: '2026-01-06T09:00:00Z',
  you: { role: 'owner', via: 'explicit', capabilities: ['project.read', 'access.manage'] },
  latestExperiments: [],
  latestActivity: [],
  people: [],
} as ProjectPage;

const usersPage: AccessSchemas['UsersPageDto'] = {
  projectId: 'p-1',
  lab: 'crystallography',
  scheme: 'facility',
  baseLevel: null,
  explicit: [
    { user: 'u-bob', username: 'bob', displayName: 'Bob Brown', role: 'owner', grantedBy: 'u-bob', grantedAt: '2026-01-06T09:00:00Z' },
    { user: 'u-dave', username: 'dave', displayName: 'Dave Diaz', role: 'member', grantedBy: 'u-bob', grantedAt: '2026-01-06T09:05:00Z' },
  ],
  viaBaseLevel: [],
  warnings: [{ rule: 'facility.owner-backup-advised', message: 'Only the owner manages access to this project. Add at least one other manager as backup (vacations, handover).' }],
};

const preview: AccessSchemas['AccessPreviewDto'] = {
  previewId: 'preview-7',
  projectId: 'p-1',
  change: { kind: 'set-role', user: 'u-carol', role: 'member' },
  effects: [{ user: 'u-carol', username: 'carol', displayName: 'Carol Chen', before: null, after: 'member', gained: ['project.read', 'jobs.run'], lost: [] }],
};

function platform() {
  return stubPlatform({
    'GET /api/role-schemes': { body: Object.values(roleSchemes) },
    'GET /api/projects/p-1/access': { body: usersPage },
    'GET /api/labs/crystallography/members': { body: { items: [], nextCursor: null } },
    'GET /api/users': { body: { items: [{ userId: 'u-carol', username: 'carol', displayName: 'Carol Chen', email: 'carol@example.org' }], nextCursor: null } },
    'POST /api/projects/p-1/access/preview': { status: 201, body: preview },
    'PUT /api/projects/p-1/access/users/u-carol': { body: { projectId: 'p-1', user: 'u-carol', role: 'member', via: 'explicit' }, headers: { 'cairn-position': '42' } },
  });
}

describe('the users page (docs/requirements.md L-20, L-21, L-22, L-23, F-11)', () => {
  it('lists explicit permissions with the backup tip; "you cannot remove your own permission"', async () => {
    renderInConsole(<UsersPage project={project} reloadProject={async () => undefined} />, platform());
    await screen.findByText(/Add at least one other manager as backup/);
    const bobRow = screen.getByText('Bob Brown').closest('tr')!;
    expect(within(bobRow).queryByRole('button', { name: /Remove/ })).toBeNull();
    expect(bobRow.textContent).toContain('You cannot remove your own permission.');
    const daveRow = screen.getByText('Dave Diaz').closest('tr')!;
    expect(within(daveRow).getByRole('button', { name: 'Remove Dave Diaz’s permission' })).toBeTruthy();
    expect(within(daveRow).getByRole('button', { name: 'Change level of Dave Diaz' })).toBeTruthy();
  });

  it('"add permission": autocomplete by e-mail, then the preview of who gains what before saving, which cites it', async () => {
    const stub = platform();
    renderInConsole(<UsersPage project={project} reloadProject={async () => undefined} />, stub);
    fireEvent.click(await screen.findByRole('button', { name: 'Add permission' }));
    const person = screen.getByRole('combobox', { name: 'Person' });
    fireEvent.input(person, { target: { value: 'carol@' } });
    await screen.findByRole('option', { name: /Carol Chen/ });
    expect(stub.calls('GET', '/api/users')[0].query.get('q')).toBe('carol@');
    fireEvent.keyDown(person, { key: 'ArrowDown' });
    fireEvent.keyDown(person, { key: 'Enter' });
    await screen.findByText('@carol · carol@example.org');
    // The owner of a facility project gives viewer, member or manager; never owner (that is a transfer).
    const level = screen.getByLabelText('Level') as HTMLSelectElement;
    expect([...level.options].map((option) => option.value)).toEqual(['viewer', 'member', 'manager']);
    fireEvent.change(level, { target: { value: 'member' } });
    fireEvent.click(screen.getByRole('button', { name: 'Preview' }));

    await screen.findByText('Before you save');
    await screen.findByText(/^Gains:/);
    expect(stub.calls('POST', '/api/projects/p-1/access/preview')[0].body).toEqual({ change: { kind: 'set-role', user: 'u-carol', role: 'member' } });
    expect(screen.getByText('Carol Chen').parentElement?.textContent).toBe('Carol Chen: None → Member');
    expect(screen.getByText(/^Gains:/).textContent).toBe('Gains: see the project, its files, jobs and logbook, run and rerun jobs');
    expect(stub.calls('PUT', '/api/projects/p-1/access/users/u-carol')).toEqual([]);

    fireEvent.input(screen.getByLabelText('Reason (optional)'), { target: { value: 'joins the phasing' } });
    fireEvent.click(screen.getByRole('button', { name: 'Save change' }));
    await waitFor(() => expect(stub.calls('PUT', '/api/projects/p-1/access/users/u-carol')).toHaveLength(1));
    expect(stub.calls('PUT', '/api/projects/p-1/access/users/u-carol')[0].body).toEqual({ role: 'member', reason: 'joins the phasing', previewId: 'preview-7' });
    // What the change answered, the next read waits for.
    await waitFor(() => expect(stub.calls('GET', '/api/projects/p-1/access').at(-1)?.headers.get('cairn-min-position')).toBe('42'));
  });
});
