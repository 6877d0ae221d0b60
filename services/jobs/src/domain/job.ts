import {
  conflict,
  forbidden,
  invalid,
  invalidField,
  notFound,
  type Decider,
  type JobEvent,
  type JobFailure,
  type JobOutputAddedData,
  type JobRequestedData,
  type Machine,
} from '@cairn/contracts';
import { requireAllowedMachine, requireInputs, type ProjectFile } from './job-request';
import { requireParameters } from './parameters';
import type { TemplateVersion } from './template';

export type JobStatus = 'queued' | 'running' | 'cancelling' | 'succeeded' | 'failed' | 'cancelled';
export const JOB_STATUSES: readonly JobStatus[] = ['queued', 'running', 'cancelling', 'succeeded', 'failed', 'cancelled'];
export const ENDED: ReadonlySet<JobStatus> = new Set(['succeeded', 'failed', 'cancelled']);
const REASON_MAX_LENGTH = 4000;
const LAST_LOG_LINES = 100;

/** One job's stream, `jobs_job-<jobId>`, folded. */
export interface JobState {
  status: JobStatus | 'none';
  /** Everything the job was asked to do, as recorded when it was requested. */
  request?: JobRequestedData;
  /** The runner holding the job, from its claim on. */
  runnerId?: string;
  outputs: ReadonlyMap<string, Omit<JobOutputAddedData, 'jobId' | 'projectId' | 'runnerId'>>;
  progress?: { fraction: number; message?: string };
  failure?: JobFailure;
}

/** The caller, as the application layer found them on the project. */
interface Actor {
  actor: string;
  actorCapabilities: readonly string[];
}

/** What a run or rerun is decided on: the template version it pins and the files it names. */
interface JobRequestFacts extends Actor {
  jobId: string;
  projectId: string;
  template: TemplateVersion;
  /** The project's files the request names, as the jobs service knows them (a file it does not know is absent). */
  files: ReadonlyMap<string, ProjectFile>;
}

export interface RequestJob extends JobRequestFacts {
  type: 'RequestJob';
  inputs: string[];
  parameters: Record<string, unknown>;
  machine: Machine;
}

/** "You keep the same workflow and starting point; you can adjust parameters, inputs, or performance settings." */
export interface RerunJob extends JobRequestFacts {
  type: 'RerunJob';
  original: JobRequestedData;
  overrides: { inputs?: string[]; parameters?: Record<string, unknown>; machine?: Machine };
}

/** The runner protocol's claim: the runner takes the queued job. */
export interface StartJob {
  type: 'StartJob';
  runnerId: string;
}

interface FromRunner {
  runnerId: string;
}

export interface RecordOutput extends FromRunner {
  type: 'RecordOutput';
  fileId: string;
  path: string;
  size: number;
  sha256: string;
}

export interface ReportProgress extends FromRunner {
  type: 'ReportProgress';
  fraction: number;
  message?: string;
}

export type FinishJob = FromRunner & { type: 'FinishJob' } & (
    | { outcome: 'succeeded'; exitCode: number }
    | { outcome: 'failed'; failure: JobFailure }
    | { outcome: 'cancelled' }
  );

/** The heartbeat watchdog: the runner holding the job has stopped heartbeating. */
export interface FailLostRunner extends FromRunner {
  type: 'FailLostRunner';
  reason: string;
}

export interface CancelJob extends Actor {
  type: 'CancelJob';
}

export type JobCommand = RequestJob | RerunJob | StartJob | RecordOutput | ReportProgress | FinishJob | FailLostRunner | CancelJob;

export const outputFolderOf = (jobId: string) => `processed/${jobId}/`;

export const jobDecider: Decider<JobCommand, JobState, JobEvent> = {
  initialState: () => ({ status: 'none', outputs: new Map() }),

  decide(command, state) {
    switch (command.type) {
      case 'RequestJob':
        return [request(command, state, { inputs: command.inputs, parameters: command.parameters, machine: command.machine })];
      case 'RerunJob':
        return [rerun(command, state)];
      case 'StartJob':
        return start(command, state);
      case 'RecordOutput':
        return recordOutput(command, state);
      case 'ReportProgress':
        return reportProgress(command, state);
      case 'FinishJob':
        return finish(command, state);
      case 'FailLostRunner':
        return failLostRunner(command, state);
      case 'CancelJob':
        return cancel(command, state);
    }
  },

  evolve(state, event) {
    switch (event.type) {
      case 'jobs.job.requested.v1':
        return { ...state, status: 'queued', request: event.data };
      case 'jobs.job.started.v1':
        return { ...state, status: 'running', runnerId: event.data.runnerId };
      case 'jobs.job.progressed.v1':
        return { ...state, progress: { fraction: event.data.fraction, ...(event.data.message === undefined ? {} : { message: event.data.message }) } };
      case 'jobs.job.output-added.v1': {
        const { jobId: _job, projectId: _project, runnerId: _runner, ...output } = event.data;
        return { ...state, outputs: new Map(state.outputs).set(output.fileId, output) };
      }
      case 'jobs.job.cancel-requested.v1':
        return { ...state, status: 'cancelling' };
      case 'jobs.job.succeeded.v1':
        return { ...state, status: 'succeeded' };
      case 'jobs.job.failed.v1':
        return { ...state, status: 'failed', failure: event.data.failure };
      case 'jobs.job.cancelled.v1':
        return { ...state, status: 'cancelled' };
    }
  },
};

function requireCapability({ actorCapabilities }: Actor, capability: string, action: string): void {
  if (!actorCapabilities.includes(capability)) {
    throw forbidden(`requires.${capability}`, `${action} needs the ${capability} capability on the project`, { capability });
  }
}

function request(
  command: JobRequestFacts,
  state: JobState,
  asked: { inputs: string[]; parameters: Record<string, unknown>; machine: Machine },
  lineage?: { rerunOf: string; rootJobId: string },
): JobEvent {
  requireCapability(command, 'jobs.run', 'running a job');
  if (state.status !== 'none') throw conflict('jobs.job-exists', `job ${command.jobId} exists already`);
  const { template } = command;
  return {
    type: 'jobs.job.requested.v1',
    data: {
      jobId: command.jobId,
      projectId: command.projectId,
      template: { name: template.name, version: template.version },
      inputs: requireInputs(template, command.projectId, asked.inputs, command.files),
      machine: requireAllowedMachine(template, asked.machine),
      parameters: requireParameters(template, asked.parameters ?? {}),
      command: template.command,
      timeLimitSeconds: template.timeLimitSeconds,
      outputFolder: outputFolderOf(command.jobId),
      triggeredBy: command.actor,
      ...(lineage ? { rerunOf: lineage.rerunOf } : {}),
      rootJobId: lineage?.rootJobId ?? command.jobId,
      actor: command.actor,
    },
  };
}

/**
 * A new job from the original's template, inputs, parameters and machine, with the caller's overrides:
 * parameters override by name, inputs and machine as a whole, the template by version only. The
 * original is only read.
 */
function rerun(command: RerunJob, state: JobState): JobEvent {
  const { original, overrides, template } = command;
  if (original.projectId !== command.projectId) throw invalid('jobs.rerun-same-project', 'a rerun stays in the project of the job it reruns');
  if (template.name !== original.template.name) {
    throw invalidField('jobs.rerun-same-template', 'template', `a rerun keeps the template ${original.template.name}; only its version may change`);
  }
  return request(
    command,
    state,
    {
      inputs: overrides.inputs ?? original.inputs.map((input) => input.fileId),
      parameters: { ...original.parameters, ...overrides.parameters },
      machine: overrides.machine ?? original.machine,
    },
    { rerunOf: original.jobId, rootJobId: original.rootJobId },
  );
}

function start(command: StartJob, state: JobState): JobEvent[] {
  const job = requireJob(state);
  // The same runner asking again (its answer was lost) holds the job already: nothing more happens.
  if (state.status === 'running' && state.runnerId === command.runnerId) return [];
  if (state.status !== 'queued') {
    const why = state.status === 'cancelled' ? 'it was cancelled' : ENDED.has(state.status as JobStatus) ? `it ended ${state.status}` : 'another runner holds it';
    throw conflict('jobs.claim-gone', `job ${job.jobId} is not queued any more: ${why}`);
  }
  return [{ type: 'jobs.job.started.v1', data: { jobId: job.jobId, projectId: job.projectId, runnerId: command.runnerId } }];
}

/**
 * Every report after the claim: only from the runner holding the job, and only until the job ends ("No
 * transition leaves a terminal state"). Reports that are no domain events (log chunks, heartbeats) are
 * held to it as well.
 */
export function requireHolder(state: JobState, runnerId: string): JobRequestedData {
  const job = requireJob(state);
  if (ENDED.has(state.status as JobStatus)) throw conflict('jobs.job-ended', `job ${job.jobId} ended ${state.status}; a late report changes nothing`);
  if (state.runnerId !== runnerId) throw conflict('jobs.not-held-by-runner', `job ${job.jobId} is not held by runner ${runnerId}`);
  return job;
}

function recordOutput(command: RecordOutput, state: JobState): JobEvent[] {
  const job = requireHolder(state, command.runnerId);
  if (state.outputs.has(command.fileId)) return [];
  if (!command.path.startsWith(job.outputFolder) || command.path.length === job.outputFolder.length) {
    throw invalidField('jobs.output-outside-folder', 'path', `a job's outputs go under its own folder ${job.outputFolder}`);
  }
  const { fileId, path, size, sha256 } = command;
  return [{ type: 'jobs.job.output-added.v1', data: { jobId: job.jobId, projectId: job.projectId, runnerId: command.runnerId, fileId, path, size, sha256 } }];
}

function reportProgress(command: ReportProgress, state: JobState): JobEvent[] {
  const job = requireHolder(state, command.runnerId);
  if (!(command.fraction >= 0 && command.fraction <= 1)) throw invalidField('jobs.progress-fraction', 'fraction', 'must be from 0 to 1');
  if (state.progress?.fraction === command.fraction && state.progress.message === command.message) return [];
  const message = command.message === undefined ? {} : { message: command.message.slice(0, 1000) };
  return [{ type: 'jobs.job.progressed.v1', data: { jobId: job.jobId, projectId: job.projectId, runnerId: command.runnerId, fraction: command.fraction, ...message } }];
}

function finish(command: FinishJob, state: JobState): JobEvent[] {
  const job = requireHolder(state, command.runnerId);
  const ofJob = { jobId: job.jobId, projectId: job.projectId, runnerId: command.runnerId };
  switch (command.outcome) {
    case 'succeeded':
      if (command.exitCode !== 0) throw invalidField('jobs.succeeded-exit-code', 'exitCode', 'a command that succeeded exited with 0; report another exit as failed (executor)');
      return [{ type: 'jobs.job.succeeded.v1', data: { ...ofJob, exitCode: 0 } }];
    case 'failed':
      return [{ type: 'jobs.job.failed.v1', data: { ...ofJob, failure: requireFailure(command.failure) } }];
    case 'cancelled':
      if (state.status !== 'cancelling') throw conflict('jobs.cancel-not-requested', `nobody asked to cancel job ${job.jobId}; a command that stopped early failed`);
      return [{ type: 'jobs.job.cancelled.v1', data: ofJob }];
  }
}

/** Held to what the event's schema records: a reason, an exit code, and the last lines of the log cut to size. */
function requireFailure(failure: JobFailure): JobFailure {
  if (failure?.kind !== 'executor' && failure?.kind !== 'system') throw invalidField('jobs.failure-kind', 'failure.kind', 'must be executor or system');
  const reason = typeof failure.reason === 'string' ? failure.reason.trim().slice(0, REASON_MAX_LENGTH) : '';
  if (reason === '') throw invalidField('jobs.failure-reason', 'failure.reason', 'must say why the job failed');
  if (failure.exitCode !== undefined && !Number.isSafeInteger(failure.exitCode)) throw invalidField('jobs.failure-exit-code', 'failure.exitCode', 'must be a whole number');
  const lastLogLines = Array.isArray(failure.lastLogLines) ? failure.lastLogLines.slice(-LAST_LOG_LINES).map((line) => String(line).slice(0, REASON_MAX_LENGTH)) : undefined;
  return {
    kind: failure.kind,
    reason,
    ...(failure.exitCode === undefined ? {} : { exitCode: failure.exitCode }),
    ...(lastLogLines === undefined ? {} : { lastLogLines }),
  };
}

/** "A runner that stops heartbeating fails its job with failure.kind: system and a reason." Only its own job, only while it holds it. */
function failLostRunner(command: FailLostRunner, state: JobState): JobEvent[] {
  if ((state.status !== 'running' && state.status !== 'cancelling') || state.runnerId !== command.runnerId) return [];
  const job = state.request!;
  return [
    {
      type: 'jobs.job.failed.v1',
      data: { jobId: job.jobId, projectId: job.projectId, runnerId: command.runnerId, failure: { kind: 'system', reason: command.reason } },
    },
  ];
}

/** "Cancelling a queued job ends it at once. Cancelling a running job is cancelling until the runner confirms." */
function cancel(command: CancelJob, state: JobState): JobEvent[] {
  const job = requireJob(state);
  if (job.triggeredBy === command.actor) requireCapability(command, 'jobs.run', "cancelling one's own job");
  else requireCapability(command, 'jobs.cancel', "cancelling someone else's job");
  if (ENDED.has(state.status as JobStatus)) throw conflict('jobs.job-ended', `job ${job.jobId} ended ${state.status} and cannot be cancelled`);
  const ofJob = { jobId: job.jobId, projectId: job.projectId };
  switch (state.status) {
    case 'queued':
      return [{ type: 'jobs.job.cancelled.v1', data: { ...ofJob, actor: command.actor } }];
    case 'running':
      return [{ type: 'jobs.job.cancel-requested.v1', data: { ...ofJob, runnerId: state.runnerId!, actor: command.actor } }];
    default:
      return [];
  }
}

function requireJob(state: JobState): JobRequestedData {
  if (!state.request) throw notFound('jobs.job-unknown', 'there is no such job');
  return state.request;
}
