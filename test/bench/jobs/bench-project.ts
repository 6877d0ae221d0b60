import { performance } from 'node:perf_hooks';
import { connect, type NatsConnection } from 'nats';
import { LOCAL_DEV_JWT_SECRET, signDevToken } from '@cairn/auth';
import { readEventHeader } from '@cairn/contracts';
import type { RunningPlatform } from '@cairn/local-platform';

/** A template whose command does nothing: the platform around it is what takes time. */
export function exitAtOnce(command: string[]) {
  return {
    name: 'Exit At Once',
    version: '1.0.0',
    description: 'A command that does nothing: the platform around it is what takes time.',
    parameters: { type: 'object', properties: {} },
    inputTypes: ['*'],
    machineTypes: ['cpu/standard'],
    command,
  };
}

/** A project with one input file and the template registered, as alice; every job's start and end as the bus carries them. */
export interface BenchProject {
  nc: NatsConnection;
  /** `POST /api/projects/:id/jobs` for the template on cpu/standard; the job's id once answered. */
  submit(): Promise<string>;
  /** `performance.now()` when each job's `jobs.job.succeeded.v1` arrived. */
  succeeded: Map<string, number>;
  ended(jobId: string): Promise<void>;
  /** When the first `jobs.job.started.v1` since the last reset arrived. */
  firstStart(): number | undefined;
  resetFirstStart(): void;
  close(): Promise<void>;
}

export async function openBenchProject(platform: RunningPlatform, template: ReturnType<typeof exitAtOnce>): Promise<BenchProject> {
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
  await call('/api/job-templates', template);

  const nc = await connect({ servers: platform.natsUrl });
  const succeeded = new Map<string, number>();
  const waiting = new Map<string, () => void>();
  let firstStart: number | undefined;
  nc.subscribe('cairn.events.jobs.job.*', {
    callback: (_error, message) => {
      const type = readEventHeader(message.headers, 'type');
      if (type === 'jobs.job.started.v1') firstStart ??= performance.now();
      if (type !== 'jobs.job.succeeded.v1') return;
      const jobId = message.subject.slice('cairn.events.jobs.job.'.length);
      succeeded.set(jobId, performance.now());
      waiting.get(jobId)?.();
    },
  });
  await nc.flush();
  return {
    nc,
    submit: async () => (await call(`/api/projects/${project.body.id}/jobs`, { template: template.name, inputs: [file.id], machine: { type: 'cpu', performance: 'standard' } })).body.id,
    succeeded,
    ended: (jobId) => new Promise<void>((resolve) => (succeeded.has(jobId) ? resolve() : waiting.set(jobId, resolve))),
    firstStart: () => firstStart,
    resetFirstStart: () => {
      firstStart = undefined;
    },
    close: () => nc.close(),
  };
}
