import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { connect, type NatsConnection } from 'nats';
import { ALL_MACHINES, workSubjectOf, type Assignment } from '@cairn/contracts';
import { ensureWorkQueues } from '@cairn/messaging';
import { demoTemplate, startNatsServer, type NatsServerHandle } from '@cairn/testing';
import { FakeFileApi } from './fake-file-api';
import { FakeJobs, startFakeJobsService } from './fake-jobs-service';

/** What a runner talks to, played by a test: a real nats-server, the jobs service's side of the protocol, the file API. */
export interface ProtocolTestbed {
  nats: NatsServerHandle;
  nc: NatsConnection;
  jobs: FakeJobs;
  files: FakeFileApi;
  /** Offers the job to the jobs service's side and queues it on its machine's work queue, as the jobs service does. */
  queue(assignment: Assignment): Promise<Assignment>;
  stop(): Promise<void>;
}

export async function startProtocolTestbed(secret: string): Promise<ProtocolTestbed> {
  const nats = await startNatsServer();
  const nc = await connect(nats.connectionOptions());
  // As the jobs service does before it queues anything.
  await ensureWorkQueues(await nc.jetstreamManager(), ALL_MACHINES);
  const service = await startFakeJobsService(nats.connectionOptions({ kind: 'service', context: 'jobs' }), secret);
  const files = new FakeFileApi(secret);
  await files.start();
  return {
    nats,
    nc,
    jobs: service.jobs,
    files,
    async queue(assignment) {
      service.jobs.offer(assignment);
      await nc.jetstream().publish(workSubjectOf(assignment.machine), JSON.stringify({ jobId: assignment.jobId, projectId: assignment.projectId }), { msgID: assignment.jobId });
      return assignment;
    },
    async stop() {
      await service.close();
      await files.stop();
      await nc.close();
      await nats.stop();
    },
  };
}

/** An assignment as the jobs service would hand it out, on cpu/standard unless told otherwise. */
export function assignmentOf(jobId: string, overrides: Partial<Assignment> & Pick<Assignment, 'command'>): Assignment {
  return {
    jobId,
    projectId: 'p-lysozyme',
    template: { name: 'Test', version: '1.0.0' },
    parameters: {},
    inputs: [],
    machine: { type: 'cpu', performance: 'standard' },
    outputFolder: `processed/${jobId}/`,
    timeLimitSeconds: 30,
    heartbeatIntervalMs: 200,
    position: 42,
    ...overrides,
  };
}

/** A node one-liner as a command: `node -e <script> -- <args>`; `node` is the runner's own, on the command's PATH. */
export const nodeCommand = (script: string, ...args: string[]) => ['node', '-e', script, '--', ...args];

/**
 * A job whose parameters a shell would act on (`$(...)`, backquotes, `;`, quotes, a newline), whose
 * command writes the arguments it received into `args.json` in its output folder; `marker` is the file
 * any interpretation would create. `argumentsReceived` is what a literal hand-over gives.
 */
export function shellBaitJob(marker: string): { command: string[]; parameters: Record<string, unknown>; argumentsReceived: string[] } {
  const parameters = { subst: `$(touch ${marker}) \`touch ${marker}\`; touch ${marker}`, quotes: `"double" 'single' \\ '\\''`, lines: 'first line\nsecond line', count: 3 };
  return {
    command: nodeCommand(
      "require('fs').writeFileSync(process.argv[1] + '/args.json', JSON.stringify(process.argv.slice(2)))",
      '{{outputDir}}',
      '{{parameters.subst}}',
      '--quotes={{parameters.quotes}}',
      '{{parameters.lines}}',
      '{{parameters.count}}',
      '{{parameters.absent}}',
    ),
    parameters,
    argumentsReceived: [parameters.subst, `--quotes=${parameters.quotes}`, parameters.lines, '3', ''],
  };
}

/**
 * A DIALS job on the made PILATUS sweep (samples/diffraction): its frames put into the file API under
 * `raw/sweep-1/`, and the assignment's template, command, parameters and inputs.
 */
export function dialsOnTheSweep(files: FakeFileApi): Pick<Assignment, 'template' | 'command' | 'parameters' | 'inputs'> {
  const dials = demoTemplate('DIALS');
  const sweep = join(__dirname, '../samples/diffraction');
  const frames = readdirSync(sweep).filter((name) => name.endsWith('.cbf')).sort();
  const staged = frames.map((name) => files.put('p-lysozyme', `raw/sweep-1/${name}`, readFileSync(join(sweep, name))));
  return {
    template: { name: dials.name, version: dials.version },
    command: dials.command,
    parameters: { steps: 'find_spots', min_spot_size: 3, nproc: 1 },
    inputs: staged.map((file) => ({ fileId: file.id, path: file.path })),
  };
}
