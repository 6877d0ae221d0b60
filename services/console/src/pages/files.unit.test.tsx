import { fireEvent, screen, waitFor, within } from '@testing-library/preact';
import { renderInConsole, stubPlatform } from '../testing/console-harness';
import { FilesPage } from './files';
import type { ProjectPage } from './project-shell';

const owner = {
  id: 'p-1',
  lab: 'crystallography',
  slug: 'lysozyme',
  name: 'Lysozyme',
  you: { role: 'owner', via: 'explicit', capabilities: ['project.read', 'files.upload', 'deletion.approve.raw', 'deletion.approve.processed', 'deletion.request.raw', 'deletion.request.processed'] },
} as ProjectPage;

const request = (id: string, requestedBy: string, path: string) => ({
  id,
  projectId: 'p-1',
  files: [{ fileId: `f-${id}`, path, kind: 'raw' }],
  scope: 'raw',
  reason: 'overexposed',
  requestedBy,
  requestedAt: '2026-01-06T09:00:00Z',
  status: 'pending',
});

describe('files and the deletion-request inbox (four eyes)', () => {
  it('shows raw/ and processed/ folders, and offers approve and reject on requests of others, never on your own', async () => {
    const stub = stubPlatform({
      'GET /api/projects/p-1/files': { body: { folder: '', folders: ['processed', 'raw'], items: [], nextCursor: null } },
      'GET /api/projects/p-1/deletion-requests': { body: { items: [request('r-1', 'u-carol', 'raw/a.cbf'), request('r-2', 'u-bob', 'raw/b.cbf')], nextCursor: null } },
      'GET /api/labs/crystallography/members': { body: { items: [{ lab: 'crystallography', userId: 'u-carol', username: 'carol', displayName: 'Carol Chen', admin: false }], nextCursor: null } },
      'POST /api/deletion-requests/r-1/approve': { body: { requestId: 'r-1', projectId: 'p-1', status: 'approved', deletedFileIds: ['f-r-1'] } },
    });
    renderInConsole(<FilesPage project={owner} />, stub);
    expect(await screen.findByRole('link', { name: 'raw/' })).toBeTruthy();
    expect(screen.getByRole('link', { name: 'processed/' })).toBeTruthy();

    const carols = (await screen.findByText('Carol Chen')).closest('li')!;
    const mine = screen.getByText('Bob Brown (you)').closest('li')!;
    expect(within(mine).queryByRole('button', { name: /Approve/ })).toBeNull();
    expect(mine.textContent).toContain('Your own request: someone else decides it.');
    fireEvent.click(within(carols).getByRole('button', { name: 'Approve deleting raw/a.cbf' }));
    await waitFor(() => expect(stub.calls('POST', '/api/deletion-requests/r-1/approve')).toHaveLength(1));
  });

  it('"Folders to look into": a log or CSV previewed as text beside download, and "Run a job" on a file for who may run jobs', async () => {
    const member = { ...owner, you: { ...owner.you, capabilities: ['project.read', 'jobs.run'] } } as ProjectPage;
    const log = { id: 'f-log', projectId: 'p-1', folder: 'processed/job-1', name: 'job.log', path: 'processed/job-1/job.log', kind: 'processed', size: 30, sha256: 'x', addedAt: '2026-01-06T09:00:00Z', addedBy: 'u-bob', jobId: 'job-1' };
    const stub = stubPlatform({
      'GET /api/projects/p-1/files': { body: { folder: 'processed/job-1', folders: [], items: [log], nextCursor: null } },
      'GET /api/projects/p-1/deletion-requests': { body: { items: [], nextCursor: null } },
      'GET /api/labs/crystallography/members': { body: { items: [], nextCursor: null } },
      'GET /api/projects/p-1/files/f-log/content': { body: 'indexing 1200 spots\n<b>done</b>' },
    });
    renderInConsole(<FilesPage project={member} />, stub);
    expect((await screen.findByRole('link', { name: 'Run a job on job.log' })).getAttribute('href')).toBe('/labs/crystallography/projects/lysozyme/jobs/run?input=f-log&path=processed%2Fjob-1%2Fjob.log');
    fireEvent.click(screen.getByRole('button', { name: 'Preview job.log' }));
    const preview = await screen.findByLabelText('Text of job.log');
    await waitFor(() => expect(preview.textContent).toContain('indexing 1200 spots'));
    expect(preview.querySelector('b')).toBeNull();
    expect(within(screen.getByRole('region', { name: 'Preview of job.log' })).getByRole('button', { name: 'Download all' })).toBeTruthy();
  });
});
