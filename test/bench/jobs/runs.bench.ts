import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { LOCAL_DEV_JWT_SECRET } from '@cairn/auth';
import { WORK_STREAM } from '@cairn/contracts';
import { startPlatform } from '@cairn/local-platform';
import { figures, timed } from '../latencies';
import { exitAtOnce, openBenchProject, type BenchProject } from './bench-project';

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
function bareChildProcess(): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['-e', ''], { stdio: 'ignore' });
    child.on('error', reject);
    child.on('exit', () => resolve());
  });
}

export async function run(): Promise<void> {
  const home = await mkdtemp(join(tmpdir(), 'cairn-bench-jobs-'));
  const platform = await startPlatform({ homeDir: home, edgePort: 0, env: { CAIRN_AUTH_MODE: 'dev', CAIRN_DEV_JWT_SECRET: LOCAL_DEV_JWT_SECRET } });
  let bench: BenchProject | undefined;
  try {
    bench = await openBenchProject(platform, exitAtOnce(['node', '-e', '']));
    const { nc, submit, succeeded, ended } = bench;
    const bare: number[] = [];
    for (let index = 0; index < END_TO_END_JOBS; index++) await timed(bare, bareChildProcess);
    const endToEnd: number[] = [];
    // The first job warms every path (connections, compiled schemas): it is not counted.
    for (let index = 0; index <= END_TO_END_JOBS; index++) {
      const started = performance.now();
      const jobId = await submit();
      await ended(jobId);
      if (index > 0) endToEnd.push(succeeded.get(jobId)! - started);
    }
    console.log(`jobs on the whole platform (separate processes, nats-server, FerretDB v1.24.2 SQLite), a template that exits at once`);
    figures(`  submit → succeeded, one at a time`, endToEnd, bare);

    await platform.runner!.process.stop('SIGTERM', 15_000);
    const ids: string[] = [];
    let next = 0;
    await Promise.all(
      Array.from({ length: 8 }, async () => {
        while (next++ < QUEUED_JOBS) ids.push(await submit());
      }),
    );
    const jsm = await nc.jetstreamManager();
    while ((await jsm.streams.info(WORK_STREAM)).state.messages < QUEUED_JOBS) await new Promise((resolve) => setTimeout(resolve, 200));
    bench.resetFirstStart();
    platform.runner!.process.start();
    await Promise.all(ids.map(ended));
    // From the runner's first claim: its own start is not the queue's drain.
    const seconds = (Math.max(...ids.map((id) => succeeded.get(id)!)) - bench.firstStart()!) / 1000;
    console.log(`  ${QUEUED_JOBS.toLocaleString('en-US')} queued jobs drained by one runner (one slot): ${(QUEUED_JOBS / seconds).toFixed(1)} jobs/s (${seconds.toFixed(1)} s from its first claim to the last end)`);
  } finally {
    await bench?.close();
    await platform.stop();
    await rm(home, { recursive: true, force: true });
  }
}
