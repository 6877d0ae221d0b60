import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LOCAL_DEV_JWT_SECRET, signDevToken } from '@cairn/auth';
import { startPlatform } from '@cairn/local-platform';

/**
 * What a job's Process Run Crate costs it, for a job with BENCH_CRATE_OUTPUTS (1,000) outputs, on the whole
 * platform as `npm start` runs it: the crate's writing (built, serialized, uploaded into the folder, as the
 * reference runner logs it) against the job's own runtime as Cairn records it (started → ended: the command,
 * then the upload and report of every output, then the crate). Printed as a ratio, measured in one run.
 */
const OUTPUTS = Number(process.env.BENCH_CRATE_OUTPUTS ?? 1_000);
// One job takes minutes on a loaded 2-core machine (each output is uploaded and reported on its own).
const JOBS = Number(process.env.BENCH_CRATE_JOBS ?? 1);

const MANY_OUTPUTS = {
  name: 'Many Outputs',
  version: '1.0.0',
  description: 'Writes a number of small files into its output folder.',
  parameters: { type: 'object', properties: { count: { type: 'integer', minimum: 1, default: OUTPUTS } } },
  inputTypes: ['*'],
  machineTypes: ['cpu/standard'],
  command: ['node', '-e', "const [dir, count] = process.argv.slice(1); for (let i = 0; i < Number(count); i++) require('fs').writeFileSync(`${dir}/out-${i}.txt`, `output ${i}\\n`)", '{{outputDir}}', '{{parameters.count}}'],
  timeLimitSeconds: 600,
};

export async function run(): Promise<void> {
  const platform = await startPlatform({ homeDir: await mkdtemp(join(tmpdir(), 'cairn-bench-crate-')), edgePort: 0, env: { CAIRN_AUTH_MODE: 'dev', CAIRN_DEV_JWT_SECRET: LOCAL_DEV_JWT_SECRET } });
  try {
    const token = await signDevToken({ username: 'alice', admin: true }, LOCAL_DEV_JWT_SECRET);
    let position = 0;
    const call = async (path: string, init: RequestInit = {}) => {
      const response = await fetch(`${platform.edgeUrl}${path}`, { ...init, headers: { authorization: `Bearer ${token}`, 'cairn-min-position': String(position), ...init.headers } });
      const body = (await response.json()) as Record<string, unknown>;
      if (!response.ok) throw new Error(`${path}: ${response.status} ${JSON.stringify(body)}`);
      position = Math.max(position, Number(response.headers.get('cairn-position') ?? 0));
      return body;
    };
    const post = (path: string, body: object) => call(path, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    await post('/api/labs', { name: 'Bench', slug: 'bench' });
    const project = (await post('/api/projects', { lab: 'bench', name: 'Crates', scheme: 'facility' })).id as string;
    const form = new FormData();
    form.append('path', 'raw/input.txt');
    form.append('file', new Blob(['x\n']), 'input.txt');
    const input = (await call(`/api/projects/${project}/files`, { method: 'POST', body: form })).id as string;
    await post('/api/job-templates', MANY_OUTPUTS);

    const ratios: string[] = [];
    for (let index = 0; index < JOBS; index++) {
      const jobId = (await post(`/api/projects/${project}/jobs`, { template: MANY_OUTPUTS.name, inputs: [input], machine: { type: 'cpu', performance: 'standard' } })).id as string;
      let job: Record<string, unknown>;
      for (;;) {
        job = await call(`/api/jobs/${jobId}`).catch(() => ({}) as Record<string, unknown>);
        if (['succeeded', 'failed', 'cancelled'].includes(job.status as string)) break;
        await new Promise((resolve) => setTimeout(resolve, 250));
      }
      if (job.status !== 'succeeded') throw new Error(`job ${jobId} ${String(job.status)}: ${JSON.stringify(job.failure)}`);
      const runtimeMs = Date.parse(job.endedAt as string) - Date.parse(job.startedAt as string);
      const line = (await readFile(platform.runner!.logFile, 'utf8')).split('\n').find((text) => text.includes(`job ${jobId}: crate written`));
      const written = line?.match(/in ([\d.]+) ms \((\d+) entities, (\d+) bytes\)/);
      if (!written) throw new Error(`the runner's log has no crate line for job ${jobId}`);
      const crateMs = Number(written[1]);
      ratios.push(
        `  job ${index + 1}: ${(job.outputs as unknown[]).length} outputs, runtime ${runtimeMs} ms, crate ${crateMs.toFixed(1)} ms (${written[2]} entities, ${(Number(written[3]) / 1024).toFixed(0)} KiB): crate/runtime = ${(crateMs / runtimeMs).toFixed(4)}`,
      );
    }
    console.log(`a job's Process Run Crate against the job's own runtime, ${OUTPUTS} outputs (whole platform, separate processes, nats-server, FerretDB v1.24.2 SQLite)`);
    for (const line of ratios) console.log(line);
  } finally {
    await platform.stop();
  }
}
