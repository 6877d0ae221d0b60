import { fireEvent, screen, waitFor } from '@testing-library/preact';
import { renderInConsole, stubPlatform } from '../testing/console-harness';
import type { JobsSchemas } from '../api/client';
import { JobsPage, JOBS_PAGE_SIZE, mergeNewest } from './jobs';

const job = (n: number, status = 'succeeded'): JobsSchemas['JobItemDto'] => ({
  id: `job-${String(n).padStart(4, '0')}`,
  projectId: 'p-1',
  templateName: 'File Statistics',
  templateVersion: '1.0.0',
  status,
  triggeredBy: { id: 'u-bob', username: 'bob', displayName: 'Bob Brown' },
  machine: { type: 'cpu', performance: 'standard' },
  createdAt: new Date(Date.UTC(2026, 0, 1, 0, n)).toISOString(),
  outputFolder: `processed/job-${n}/`,
  rootJobId: `job-${n}`,
  template: 'File Statistics@1.0.0',
}) as JobsSchemas['JobItemDto'];

describe('the job list', () => {
  it('pages with the API cursor: "Load more" reaches every job of a long history', async () => {
    const all = Array.from({ length: 120 }, (_, n) => job(120 - n));
    const stub = stubPlatform({
      'GET /api/jobs': ({ query, headers }) => {
        if (headers.get('accept') === 'text/event-stream') return { events: '' };
        const from = Number(query.get('cursor') ?? 0);
        const limit = Number(query.get('limit'));
        return { body: { items: all.slice(from, from + limit), nextCursor: from + limit < all.length ? String(from + limit) : null } };
      },
    });
    renderInConsole(<JobsPage />, stub);
    expect(await screen.findByText(`${JOBS_PAGE_SIZE} jobs shown; older ones follow. New jobs and status changes appear as they happen.`)).toBeTruthy();
    fireEvent.click(screen.getByRole('button', { name: 'Load more' }));
    await screen.findByText(`${2 * JOBS_PAGE_SIZE} jobs shown; older ones follow. New jobs and status changes appear as they happen.`);
    fireEvent.click(screen.getByRole('button', { name: 'Load more' }));
    await screen.findByText('120 jobs shown. New jobs and status changes appear as they happen.');
    expect(screen.queryByRole('button', { name: 'Load more' })).toBeNull();
    expect(document.body.textContent).toContain('job-000');
    const pages = () => stub.calls('GET', '/api/jobs').filter((call) => call.headers.get('accept') !== 'text/event-stream');
    await waitFor(() => expect(pages().map((call) => call.query.get('cursor'))).toEqual([null, '50', '100']));
  });

  it('live: the newest page read again puts new jobs first and changed ones in place, keeping the older ones loaded', () => {
    const shown = { items: [job(5, 'running'), job(4), job(3), job(2), job(1)], nextCursor: 'c-older' };
    const newest = { items: [job(6, 'queued'), job(5, 'succeeded'), job(4)] };
    expect(mergeNewest(shown, newest)).toEqual({ items: [job(6, 'queued'), job(5, 'succeeded'), job(4), job(3), job(2), job(1)], nextCursor: 'c-older' });
  });

  it('live across projects: a job event of the stream reads the newest page again at its position, and the new job comes first without a reload', async () => {
    let listed = [job(2), job(1)];
    const stub = stubPlatform({
      'GET /api/jobs': ({ headers }) => {
        if (headers.get('accept') !== 'text/event-stream') return { body: { items: listed, nextCursor: null } };
        listed = [job(3, 'queued'), ...listed];
        return { events: 'event: open\ndata: {"position":40}\n\nid: 41\nevent: job\ndata: {"position":41,"jobId":"job-0003","projectId":"p-1","type":"jobs.job.requested.v1"}\n\n' };
      },
    });
    renderInConsole(<JobsPage />, stub);
    await screen.findByText('job-0003'.slice(0, 8));
    expect(screen.getByText('3 jobs shown. New jobs and status changes appear as they happen.')).toBeTruthy();
    const reads = stub.calls('GET', '/api/jobs').filter((call) => call.headers.get('accept') !== 'text/event-stream');
    expect(reads.map((call) => call.headers.get('cairn-min-position'))).toEqual(expect.arrayContaining(['41']));
  });

  it('"Search by triggerer" across projects: suggests those who ran jobs one can see, by name, and searches by the username picked', async () => {
    history.replaceState(null, '', '/jobs');
    const stub = stubPlatform({
      'GET /api/jobs': ({ headers }) => (headers.get('accept') === 'text/event-stream' ? { events: '' } : { body: { items: [job(1)], nextCursor: null } }),
      'GET /api/jobs/triggerers': ({ query }) => ({ body: { items: query.get('q') === 'Da' ? [{ id: 'u-dave', username: 'dave', displayName: 'Dave Diaz' }] : [] } }),
    });
    renderInConsole(<JobsPage />, stub);
    fireEvent.input(await screen.findByRole('combobox', { name: 'Triggered by' }), { target: { value: 'Da' } });
    expect(screen.getByText('People who ran jobs you can see: type the start of their username or name, then pick them.', { exact: false })).toBeTruthy();
    fireEvent.mouseDown(await screen.findByRole('option', { name: /Dave Diaz/ }));
    fireEvent.click(screen.getByRole('button', { name: 'Search' }));
    await waitFor(() => expect(location.search).toBe('?triggeredBy=dave'));
  });
});
