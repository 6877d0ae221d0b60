import { closedObject, type EmittedBy } from './schema-parts';
import { defineEvent, type EventDefinition } from '../event-definition';
import {
  ENVIRONMENT_IMAGE,
  ENVIRONMENT_MODULE,
  JOB_LIMITS,
  MAX_ENVIRONMENT_MODULES,
  MACHINE_PERFORMANCES, MACHINE_TYPES, type JobEnvironment, type JobFailure, type JobSandbox, type Machine } from '../runner-protocol';
import type { Upcaster } from '../upcasting';

/**
 * Events of the jobs context. Streams (one per aggregate instance):
 * - `jobs_template-<templateId>`: every version of one job template (`templateId` is derived from the
 *   template's lower-cased name), so "a version is immutable" is one check under one expected version.
 * - `jobs_job-<jobId>`: one job, from its request to its end. States: queued (requested), running
 *   (started by a runner), cancelling (cancel requested while running), and the ends succeeded, failed
 *   and cancelled, which nothing leaves.
 *
 * Every job event names its project (`projectId`), so the project activity feed shows it. Events a
 * runner caused name the runner (`runnerId`, also the envelope's `actorid`); events a person caused name
 * them (`actor`). Log chunks and heartbeats are not domain events: they never enter `CAIRN_EVENTS`.
 */

export interface TemplateRegisteredData {
  templateId: string;
  /** As the facility admin spelled it ("File Statistics"); every version of a template has the same name. */
  name: string;
  version: string;
  description: string;
  /** JSON Schema (draft 2020-12) of the job's `parameters` object; `default`s fill what a run leaves out. */
  parameters: Record<string, unknown>;
  /** Accepted input file types: lower-case extensions without the dot (`xyz`), or `*` for any file. */
  inputTypes: string[];
  /** Allowed machines as `machineKeyOf` names them: `cpu/standard`, `gpu/turbo`... */
  machineTypes: string[];
  /** Argument vector, never a shell string; may hold the protocol's `COMMAND_PLACEHOLDERS`. */
  command: string[];
  /** A command running longer fails as `executor`. */
  timeLimitSeconds: number;
  /** What the command may use in the runner's sandbox: the network, and its limits (within the runner's ceilings). None: no network, the runner's limits. */
  sandbox?: JobSandbox;
  /** What the command needs of the site its runner runs on (modules to load, an image to run in). None: nothing beyond the runner's own environment. */
  environment?: JobEnvironment;
  /**
   * The command writes the same output bytes for the same inputs, parameters and template version: no
   * clock, randomness or thread order leaks into what it writes. False unless the template says so.
   */
  deterministic: boolean;
  actor: string;
}

/** As version 2 was published, before templates could ask anything of the site or declare themselves deterministic. */
export type TemplateRegisteredV2Data = Omit<TemplateRegisteredData, 'environment' | 'deterministic'>;

/** As version 1 was published, before templates could ask anything of the runner's sandbox. */
export type TemplateRegisteredV1Data = Omit<TemplateRegisteredV2Data, 'sandbox'>;

export interface JobInput {
  fileId: string;
  /** The file's path in the project's file space when the job was requested. */
  path: string;
}

export interface JobRequestedData {
  jobId: string;
  projectId: string;
  /** The pinned template version. */
  template: { name: string; version: string };
  inputs: JobInput[];
  /** As validated against the template's schema, defaults filled in. */
  parameters: Record<string, unknown>;
  machine: Machine;
  /** The pinned version's command and time limit, so a job carries everything a runner needs. */
  command: string[];
  timeLimitSeconds: number;
  /** `processed/<jobId>/`: where the job's outputs go, a new folder for every job. */
  outputFolder: string;
  triggeredBy: string;
  /** The job this one reruns. */
  rerunOf?: string;
  /** The first job of the rerun chain; the job itself when it is no rerun. */
  rootJobId: string;
  actor: string;
}

/** A runner claimed the job; it holds it until the job ends. */
export interface JobStartedData {
  jobId: string;
  projectId: string;
  runnerId: string;
}

export interface JobProgressedData {
  jobId: string;
  projectId: string;
  runnerId: string;
  /** 0..1 */
  fraction: number;
  message?: string;
}

/** A file the runner uploaded into the job's output folder, as the projects service recorded it. */
export interface JobOutputAddedData {
  jobId: string;
  projectId: string;
  runnerId: string;
  fileId: string;
  path: string;
  size: number;
  sha256: string;
}

export interface JobSucceededData {
  jobId: string;
  projectId: string;
  runnerId: string;
  exitCode: number;
}

/** `failure.kind`: `executor` (the command failed or ran past its limit) or `system` (lost runner, staging, upload). */
export interface JobFailedData {
  jobId: string;
  projectId: string;
  /** The runner that held the job, when one did. */
  runnerId?: string;
  failure: JobFailure;
}

/** Someone asked to cancel a running job: it is `cancelling` until its runner confirms. */
export interface JobCancelRequestedData {
  jobId: string;
  projectId: string;
  runnerId: string;
  actor: string;
}

/** The job ended cancelled: at once when it was queued (`actor`), or confirmed by its runner (`runnerId`). */
export interface JobCancelledData {
  jobId: string;
  projectId: string;
  actor?: string;
  runnerId?: string;
}

const id = { type: 'string', minLength: 1 } as const;
const runnerId = { type: 'string', pattern: '^[A-Za-z0-9_-]{1,64}$' } as const;
const sha256 = { type: 'string', pattern: '^[0-9a-f]{64}$' } as const;
const path = { type: 'string', minLength: 1, maxLength: 1024 } as const;
const machine = closedObject({ type: { type: 'string', enum: [...MACHINE_TYPES] }, performance: { type: 'string', enum: [...MACHINE_PERFORMANCES] } });
const machineKey = { type: 'string', enum: MACHINE_TYPES.flatMap((type) => MACHINE_PERFORMANCES.map((performance) => `${type}/${performance}`)) } as const;
const command = { type: 'array', minItems: 1, items: { type: 'string' } } as const;
const timeLimitSeconds = { type: 'integer', minimum: 1 } as const;
const ofJob = { jobId: id, projectId: id } as const;
const failure = closedObject(
  { kind: { type: 'string', enum: ['executor', 'system'] }, reason: { type: 'string', minLength: 1, maxLength: 4000 } },
  { exitCode: { type: 'integer' }, lastLogLines: { type: 'array', maxItems: 100, items: { type: 'string', maxLength: 4000 } } },
);

const templateRegisteredFields = {
  templateId: id,
  name: { type: 'string', minLength: 1, maxLength: 80 },
  version: { type: 'string', minLength: 1, maxLength: 40 },
  description: { type: 'string', maxLength: 5000 },
  parameters: { type: 'object' },
  inputTypes: { type: 'array', minItems: 1, items: { type: 'string', pattern: '^([a-z0-9]+|\\*)$' } },
  machineTypes: { type: 'array', minItems: 1, items: machineKey },
  command,
  timeLimitSeconds,
  actor: id,
};

export const templateRegisteredV1 = defineEvent<TemplateRegisteredV1Data>()({
  type: 'jobs.template.registered.v1',
  description: 'A facility admin registered a version of a job template; a version never changes. Superseded by v2, to which it is upcast.',
  schema: closedObject(templateRegisteredFields),
});

const positiveInteger = { type: 'integer', minimum: 1 } as const;
const sandbox = closedObject({}, { network: { type: 'boolean' }, limits: closedObject({}, Object.fromEntries(JOB_LIMITS.map((limit) => [limit, positiveInteger]))) });

export const templateRegisteredV2 = defineEvent<TemplateRegisteredV2Data>()({
  type: 'jobs.template.registered.v2',
  description: "A facility admin registered a version of a job template; a version never changes. v2: what the command may use in the runner's sandbox (`sandbox`). Superseded by v3, to which it is upcast.",
  schema: closedObject(templateRegisteredFields, { sandbox }),
});

const environment = closedObject(
  {},
  {
    modules: { type: 'array', minItems: 1, maxItems: MAX_ENVIRONMENT_MODULES, items: { type: 'string', pattern: ENVIRONMENT_MODULE.source } },
    image: { type: 'string', pattern: ENVIRONMENT_IMAGE.source },
  },
);

export const templateRegisteredV3 = defineEvent<TemplateRegisteredData>()({
  type: 'jobs.template.registered.v3',
  description:
    "A facility admin registered a version of a job template; a version never changes. v3: what the command needs of the runner's site (`environment`: modules, an image) and whether its outputs are reproducible byte for byte (`deterministic`).",
  schema: closedObject({ ...templateRegisteredFields, deterministic: { type: 'boolean' } }, { sandbox, environment }),
});

/** A template registered before v2 asked nothing of the sandbox: no network, the runner's limits. */
export const templateRegisteredV1ToV2: Upcaster<TemplateRegisteredV1Data, TemplateRegisteredV2Data> = {
  from: templateRegisteredV1.type,
  to: templateRegisteredV2.type,
  upcast: (data) => data,
};

/** A template registered before v3 needs nothing of the site, and never said its outputs were reproducible. */
export const templateRegisteredV2ToV3: Upcaster<TemplateRegisteredV2Data, TemplateRegisteredData> = {
  from: templateRegisteredV2.type,
  to: templateRegisteredV3.type,
  upcast: (data) => ({ ...data, deterministic: false }),
};

export const jobsUpcasters: readonly Upcaster[] = [templateRegisteredV1ToV2 as Upcaster, templateRegisteredV2ToV3 as Upcaster];

export const jobRequestedV1 = defineEvent<JobRequestedData>()({
  type: 'jobs.job.requested.v1',
  description: 'Someone ran (or reran) a job template on files of a project; the job is queued for its machine type.',
  schema: closedObject(
    {
      ...ofJob,
      template: closedObject({ name: { type: 'string', minLength: 1 }, version: { type: 'string', minLength: 1 } }),
      inputs: { type: 'array', items: closedObject({ fileId: id, path }) },
      parameters: { type: 'object' },
      machine,
      command,
      timeLimitSeconds,
      outputFolder: { type: 'string', pattern: '^processed/[A-Za-z0-9_-]+/$' },
      triggeredBy: id,
      rootJobId: id,
      actor: id,
    },
    { rerunOf: id },
  ),
});

export const jobStartedV1 = defineEvent<JobStartedData>()({
  type: 'jobs.job.started.v1',
  description: 'A runner claimed the queued job and runs it.',
  schema: closedObject({ ...ofJob, runnerId }),
});

export const jobProgressedV1 = defineEvent<JobProgressedData>()({
  type: 'jobs.job.progressed.v1',
  description: 'The runner reported how far the job has come.',
  schema: closedObject({ ...ofJob, runnerId, fraction: { type: 'number', minimum: 0, maximum: 1 } }, { message: { type: 'string', maxLength: 1000 } }),
});

export const jobOutputAddedV1 = defineEvent<JobOutputAddedData>()({
  type: 'jobs.job.output-added.v1',
  description: "The runner uploaded a file into the job's output folder.",
  schema: closedObject({ ...ofJob, runnerId, fileId: id, path, size: { type: 'integer', minimum: 0 }, sha256 }),
});

export const jobSucceededV1 = defineEvent<JobSucceededData>()({
  type: 'jobs.job.succeeded.v1',
  description: 'The command exited with 0 and every output was uploaded.',
  schema: closedObject({ ...ofJob, runnerId, exitCode: { type: 'integer' } }),
});

export const jobFailedV1 = defineEvent<JobFailedData>()({
  type: 'jobs.job.failed.v1',
  description: 'The job failed: its command (executor) or the system around it (system), with the reason.',
  schema: closedObject({ ...ofJob, failure }, { runnerId }),
});

export const jobCancelRequestedV1 = defineEvent<JobCancelRequestedData>()({
  type: 'jobs.job.cancel-requested.v1',
  description: 'Someone asked to cancel the running job; it is cancelling until its runner confirms.',
  schema: closedObject({ ...ofJob, runnerId, actor: id }),
});

export const jobCancelledV1 = defineEvent<JobCancelledData>()({
  type: 'jobs.job.cancelled.v1',
  description: 'The job ended cancelled: at once when it was still queued, or when its runner confirmed.',
  schema: { ...closedObject({ ...ofJob }, { actor: id, runnerId }), anyOf: [{ required: ['actor'] }, { required: ['runnerId'] }] },
});

export const jobsEvents = [
  templateRegisteredV1,
  templateRegisteredV2,
  templateRegisteredV3,
  jobRequestedV1,
  jobStartedV1,
  jobProgressedV1,
  jobOutputAddedV1,
  jobSucceededV1,
  jobFailedV1,
  jobCancelRequestedV1,
  jobCancelledV1,
] as const satisfies readonly EventDefinition[];

export type TemplateEvent = EmittedBy<typeof templateRegisteredV3>;
export type JobEvent = EmittedBy<
  | typeof jobRequestedV1
  | typeof jobStartedV1
  | typeof jobProgressedV1
  | typeof jobOutputAddedV1
  | typeof jobSucceededV1
  | typeof jobFailedV1
  | typeof jobCancelRequestedV1
  | typeof jobCancelledV1
>;
/** The events that end a job. */
export const JOB_END_TYPES: ReadonlySet<string> = new Set<JobEvent['type']>(['jobs.job.succeeded.v1', 'jobs.job.failed.v1', 'jobs.job.cancelled.v1']);
