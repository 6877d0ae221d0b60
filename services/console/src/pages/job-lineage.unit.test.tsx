import { fireEvent, screen, waitFor, within } from '@testing-library/preact';
import { useState } from 'preact/hooks';
import { renderInConsole, stubPlatform } from '../testing/console-harness';
import { LineageCard } from './job-lineage';

const person = (id: string, username: string, displayName: string) => ({ id, username, displayName });
const CAROL = person('u-carol', 'carol', 'Carol Chen');
const BOB = person('u-bob', 'bob', 'Bob Brown');
const item = (id: string, status: string, triggeredBy: typeof CAROL, extra: object = {}) => ({
  id,
  projectId: 'p-1',
  status,
  createdAt: '2026-01-01T00:00:00Z',
  rootJobId: 'job-root',
  outputFolder: `processed/${id}/`,
  template: 'File Statistics@1.0.0',
  templateName: 'File Statistics',
  templateVersion: '1.0.0',
  machine: { type: 'cpu', performance: 'standard' },
  triggeredBy,
  ...extra,
});

function platform(best: { jobId: string; reason: string }[][], reruns: ReturnType<typeof item>[] = []) {
  return stubPlatform({
    'GET /api/jobs/job-bob/lineage': {
      body: {
        jobId: 'job-bob',
        rootJobId: 'job-root',
        truncated: false,
        items: [
          item('job-root', 'succeeded', CAROL),
          item('job-bob', 'failed', BOB, { rerunOf: 'job-root', changes: { parameters: { bins: { from: 8, to: 32 } } } }),
          item('job-agin', 'running', CAROL, { rerunOf: 'job-bob', changes: { machine: { from: { type: 'cpu', performance: 'standard' }, to: { type: 'gpu', performance: 'turbo' } } } }),
          ...reruns,
        ],
      },
    },
    'GET /api/projects/p-1/logbook/best-jobs': {
      body: { items: best.map((jobs) => ({ jobs: jobs.map((job) => ({ ...job, status: 'succeeded', template: null, triggeredBy: null })), recordedBy: CAROL })), nextCursor: null },
    },
  });
}

describe('the job page\'s lineage: "the tree of reruns under the root job: who ran each, what changed against its parent, status, and best job marks"', () => {
  it('draws each rerun under the job it reruns, with its triggerer, status and changes, this job named as such', async () => {
    renderInConsole(<LineageCard job={{ id: 'job-bob', projectId: 'p-1', rootJobId: 'job-root' }} changed={0} />, platform([]));
    const tree = await screen.findByRole('list', { name: 'Reruns under the first job' });
    const root = within(tree).getAllByRole('listitem')[0];
    expect(within(root).getByRole('link', { name: 'job job-root' })).toBeTruthy();
    expect(root.textContent).toContain('Carol Chen');
    const thisJob = within(root).getByText('job job-bob (this job)');
    expect(thisJob.getAttribute('aria-current')).toBe('page');
    const bobs = thisJob.closest('li')!;
    expect(bobs.textContent).toContain('failed');
    expect(within(bobs).getByText(/Parameter/).textContent).toBe('Parameter bins: 8 → 32');
    // The rerun of the rerun sits inside Bob's job, not beside it.
    const again = within(bobs).getByRole('link', { name: 'job job-agin' }).closest('li')!;
    expect(again.textContent).toContain('running');
    expect(again.textContent).toContain('Machine: ');
  });

  it('marks the latest best jobs and the earlier ones, each with why, from the logbook', async () => {
    renderInConsole(
      <LineageCard job={{ id: 'job-bob', projectId: 'p-1', rootJobId: 'job-root' }} changed={0} />,
      platform([[{ jobId: 'job-agin', reason: 'sharper histogram' }], [{ jobId: 'job-root', reason: 'first good one' }]]),
    );
    const again = (await screen.findByRole('link', { name: 'job job-agin' })).closest('li')!;
    expect(within(again).getByText('Best job')).toBeTruthy();
    expect(within(again).getByText('sharper histogram')).toBeTruthy();
    const root = screen.getByRole('link', { name: 'job job-root' }).closest('.lineage-job')!;
    expect(within(root as HTMLElement).getByText('Earlier best job')).toBeTruthy();
    expect(screen.getAllByText(/best job$/i)).toHaveLength(2);
  });

  it('reads the tree and the marks again each time the page hears of a change', async () => {
    const stub = platform([]);
    function Page() {
      const [changed, setChanged] = useState(0);
      return (
        <>
          <button onClick={() => setChanged(changed + 1)}>heard a change</button>
          <LineageCard job={{ id: 'job-bob', projectId: 'p-1', rootJobId: 'job-root' }} changed={changed} />
        </>
      );
    }
    renderInConsole(<Page />, stub);
    await screen.findByRole('link', { name: 'job job-agin' });
    expect(stub.calls('GET', '/api/jobs/job-bob/lineage')).toHaveLength(1);
    fireEvent.click(screen.getByRole('button', { name: 'heard a change' }));
    await waitFor(() => expect(stub.calls('GET', '/api/jobs/job-bob/lineage')).toHaveLength(2));
  });
});
