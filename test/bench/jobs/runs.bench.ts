import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { connect } from 'nats';
import { LOCAL_DEV_JWT_SECRET, signDevToken } from '@cairn/auth';
import { WORK_STREAM } from '@cairn/contracts';
import { freePort } from '@cairn/testing';
import { startPlatform } from '@cairn/local-platform';
import { figures, timed } from '../latencies';

/**
 * Jobs through the whole platform as `npm start` runs it (every service and the reference runner as
 * their own processes, nats-server, FerretDB v1.24.2 with SQLite), for a template whose command exits at
 * once (`node -e ''`), so what is measured is the platform around the command:
 * (a) end to end: `POST /api/projects/:id/jobs` answered → `jobs.job.succeeded.v1` on the bus, one job at
 *     a time, against the bare child process (spawn → exit of the same `node -e ''`);
 * (b) throughput: BENCH_QUEUED_JOBS jobs queued while the runner is stopped, then drained by one runner
 *     (one slot), in jobs/s from its first claim to the last job's end.
 */

const END_TO_END_JOBS = Number(process.env.BENCH_E2E_JOBS ?? 30);
const QUEUED_JOBS = Number(process.env.BENCH_QUEUED_JOBS ?? 1_000);
const EXIT_AT_ONCE = {
  name: 'Exit At Once',
  version: '1.0.0',
  description: 'A command that does nothing: the platform around it is what takes time.',
  parameters: { type: 'object', properties: {} },
  inputTypes: ['*'],
  machineTypes: ['cpu/standard'],
  command: ['node', '-e', ''],
};

function bareChildProcess(): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['-e', ''], { stdio: 'ignore' });
    child.on('error', reject);
    child.on('exit', () => resolve());
  });
}

export async function run(): Promise<void> {
  const home = await mkdtemp(join(tmpdir(), 'cairn-bench-jobs-'));
  const platform = await startPlatform({ homeDir: home, edgePort: await freePort(), env: { CAIRN_AUTH_MODE: 'dev', CAIRN_DEV_JWT_SECRET: LOCAL_DEV_JWT_SECRET } });
  const nc = await connect({ servers: platform.natsUrl });
  try {
    const token = await signDevToken({ username: 'alice', admin: true }, LOCAL_DEV_JWT_SECRET);
    const call = async (path: string, body?: object, minPosition = 0) => {
      const response = await fetch(`${platform.edgeUrl}${path}`, {
        method: body ? 'POST' : 'GET',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', 'cairn-min-position': String(minPosition) },
        ...(body && { body: JSON.stringify(body) }),
      });
      const answer = (await response.json()) as { id: string };
      if (!response.ok) throw new Error(`${path}: ${response.status} ${JSON.stringify(answer)}`);
      return { body: answer, position: Number(response.headers.get('cairn-position') ?? 0) };
    };
    await call('/api/labs', { name: 'Bench', slug: 'bench' });
    const project = await call('/api/projects', { lab: 'bench', name: 'Bench', scheme: 'facility' });
    const form = new FormData();
    form.append('path', 'raw/input.txt');
    form.append('file', new Blob(['x\n']), 'input.txt');
    const uploaded = await fetch(`${platform.edgeUrl}/api/projects/${project.body.id}/files`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'cairn-min-position': String(project.position) },
      body: form,
    });
    const file = (await uploaded.json()) as { id: string };
    await call('/api/job-templates', EXIT_AT_ONCE);
    const submit = () => call(`/api/projects/${project.body.id}/jobs`, { template: 'Exit At Once', inputs: [file.id], machine: { type: 'cpu', performance: 'standard' } });

    // Every job's start and end, as the bus carries them: the subject names the job.
    const succeeded = new Map<string, number>();
    const waiting = new Map<string, () => void>();
    let firstStart: number | undefined;
    nc.subscribe('cairn.events.jobs.job.*', {
      callback: (_error, message) => {
        const type = message.headers?.get('ce-type');
        if (type === 'jobs.job.started.v1') firstStart ??= performance.now();
        if (type !== 'jobs.job.succeeded.v1') return;
        const jobId = message.subject.slice('cairn.events.jobs.job.'.length);
        succeeded.set(jobId, performance.now());
        waiting.get(jobId)?.();
      },
    });
    await nc.flush();
    const ended = (jobId: string) => new Promise<void>((resolve) => (succeeded.has(jobId) ? resolve() : waiting.set(jobId, resolve)));

    const bare: number[] = [];
    for (let index = 0; index < END_TO_END_JOBS; index++) await timed(bare, bareChildProcess);
    const endToEnd: number[] = [];
    // The first job warms every path (connections, compiled schemas): it is not counted.
    for (let index = 0; index <= END_TO_END_JOBS; index++) {
      const started = performance.now();
      const { body } = await submit();
      await ended(body.id);
      if (index > 0) endToEnd.push(succeeded.get(body.id)! - started);
    }
    console.log(`jobs on the whole platform (separate processes, nats-server, FerretDB v1.24.2 SQLite), a template that exits at once`);
    figures(`  submit → succeeded, one at a time`, endToEnd, bare);

    await platform.runner!.process.stop('SIGTERM', 15_000);
    const ids: string[] = [];
    let next = 0;
    await Promise.all(
      Array.from({ length: 8 }, async () => {
        while (next++ < QUEUED_JOBS) ids.push((await submit()).body.id);
      }),
    );
    const jsm = await nc.jetstreamManager();
    while ((await jsm.streams.info(WORK_STREAM)).state.messages < QUEUED_JOBS) await new Promise((resolve) => setTimeout(resolve, 200));
    firstStart = undefined;
    platform.runner!.process.start();
    await Promise.all(ids.map(ended));
    // From the runner's first claim: its own start is not the queue's drain.
    const seconds = (Math.max(...ids.map((id) => succeeded.get(id)!)) - firstStart!) / 1000;
    console.log(`  ${QUEUED_JOBS.toLocaleString('en-US')} queued jobs drained by one runner (one slot): ${(QUEUED_JOBS / seconds).toFixed(1)} jobs/s (${seconds.toFixed(1)} s from its first claim to the last end)`);
  } finally {
    await nc.close();
    await platform.stop();
    await rm(home, { recursive: true, force: true });
  }
}
