/**
 * The runner protocol: how a runner (services/runner, any backend) takes work from the jobs service and
 * reports on it. Two services speak it, so it lives here; neither imports the other.
 *
 * 1. Work. The jobs service queues every requested job on the JetStream work queue of its machine type
 *    (stream `CAIRN_WORK`, work-queue retention, subject `workSubjectOf(machine)`, `Nats-Msg-Id` = job id).
 *    A runner pulls from the durable consumer of each queue it serves (`workConsumerOf(machine)`; every
 *    runner serving a queue shares that one consumer). Both sides create the stream and the consumers
 *    where missing with `ensureWorkQueues` (libs/messaging), the one place their settings live.
 * 2. Claim. For each work item the runner asks `cairn.runner.<runnerId>.claim`. The jobs service appends the job's
 *    start (held by this runner) and answers the assignment, or says the job is gone (cancelled while
 *    queued, already claimed). Either way the runner then acknowledges the work item: a runner lost
 *    after its claim is found by the heartbeat timeout, never by running the job twice.
 * 3. Reports. Log chunks, outputs, progress, heartbeats and the end go to `cairn.runner.<runnerId>.<report>` as
 *    NATS requests, answered by the jobs service's `@MessagePattern` handlers, so a request is a Nest
 *    microservice packet (`{pattern, data, id}`, what `ClientNats.send` writes) and the answer is Nest's
 *    (`{response, isDisposed, id}`). Every report names the job
 *    and the runner; a report from a runner that does not hold the job, or for a job already ended,
 *    changes nothing (and says so). Every report is idempotent: a retried one changes nothing.
 * 3a. Announce. At its start and every `RUNNER_ANNOUNCE_INTERVAL_MS` a runner says which machine types it
 *    serves and maps onto its compute (`cairn.runner.<runnerId>.announce`, an `AnnounceReport`). An
 *    announcement lasts `RUNNER_ANNOUNCEMENT_TTL_MS`; a template that allows a `gpu/*` type no runner
 *    announced is refused at registration.
 * 4. Cancel. A heartbeat's answer carries `cancel: true` once cancellation was requested, and the jobs
 *    service also publishes a `CancelNotice` on `cancelSubjectOf(runnerId)` (plain JSON or a Nest `emit`
 *    packet `{pattern, data}`); the runner stops the command and reports `finished` with outcome `cancelled`.
 * 5. Identity. Every request carries the runner's bearer token in the `authorization` header
 *    (`Bearer <jwt>`): a token whose `cairn_runner` claim is true; its `sub` is the runner id. The same
 *    token reads the job's inputs and writes its outputs through the projects service's HTTP file API
 *    (`GET /api/projects/:id/files/:fileId/content`, `POST /api/projects/:id/files` with a path under the
 *    job's output folder), which lets a runner touch only the files of a job it holds. The runner sends
 *    the assignment's `position` as `Cairn-Min-Position` on those calls.
 */

export const MACHINE_TYPES = ['cpu', 'gpu'] as const;
export const MACHINE_PERFORMANCES = ['standard', 'turbo'] as const;
export type MachineType = (typeof MACHINE_TYPES)[number];
export type MachinePerformance = (typeof MACHINE_PERFORMANCES)[number];

export interface Machine {
  type: MachineType;
  performance: MachinePerformance;
}

/** `cpu/standard`: how a machine is named in configuration and in a template's allowed machine types. */
export function machineKeyOf(machine: Machine): string {
  return `${machine.type}/${machine.performance}`;
}

/** Every machine, in a fixed order (the queues a runner serves by default). */
export const ALL_MACHINES: readonly Machine[] = MACHINE_TYPES.flatMap((type) =>
  MACHINE_PERFORMANCES.map((performance) => ({ type, performance })),
);

export const WORK_STREAM = 'CAIRN_WORK';
export const WORK_SUBJECT_PREFIX = 'cairn.work.jobs';

/** `cairn.work.jobs.gpu.turbo` */
export function workSubjectOf(machine: Machine): string {
  return `${WORK_SUBJECT_PREFIX}.${machine.type}.${machine.performance}`;
}

/** `cairn-runners-gpu-turbo`: the one durable consumer every runner serving that queue pulls from. */
export function workConsumerOf(machine: Machine): string {
  return `cairn-runners-${machine.type}-${machine.performance}`;
}

/** The body of a work-queue message. */
export interface WorkItem {
  jobId: string;
  projectId: string;
}

/** The requests a runner makes of the jobs service. */
export const RUNNER_REQUESTS = ['claim', 'log', 'output', 'progress', 'heartbeat', 'finished', 'announce'] as const;
export type RunnerRequest = (typeof RUNNER_REQUESTS)[number];

const RUNNER_SUBJECT_PREFIX = 'cairn.runner';

/**
 * `cairn.runner.<runnerId>.claim`: every subject of one runner lies under `cairn.runner.<runnerId>.`, and
 * a runner's NATS identity may publish only on its own (the jobs service also checks that the subject,
 * the token and the report name the same runner).
 */
export function runnerSubjectOf(runnerId: string, request: RunnerRequest): string {
  return `${RUNNER_SUBJECT_PREFIX}.${runnerId}.${request}`;
}

/** `cairn.runner.*.claim`: where the jobs service takes every runner's requests of that kind. */
export function runnerRequestPattern(request: RunnerRequest): string {
  return `${RUNNER_SUBJECT_PREFIX}.*.${request}`;
}

/** The runner a `runnerSubjectOf` subject belongs to. */
export function runnerIdOfSubject(subject: string): string {
  return subject.split('.')[2] ?? '';
}

/** Core NATS subject the jobs service publishes a cancellation on, for the runner holding the job. */
export function cancelSubjectOf(runnerId: string): string {
  return `${RUNNER_SUBJECT_PREFIX}.${runnerId}.cancel`;
}

/** What the jobs service publishes on `cancelSubjectOf(runnerId)`. */
export interface CancelNotice {
  jobId: string;
}

/** The claim `sub` of a runner token must be a safe subject token. */
export const RUNNER_ID_PATTERN = /^[A-Za-z0-9_-]{1,64}$/;

export interface ClaimRequest {
  jobId: string;
  runnerId: string;
}

/** One input, as the runner stages it: it downloads the file's content to `inputs/<path>`, the file's path in the project. */
export interface AssignedInput {
  fileId: string;
  path: string;
}

/**
 * What a runner needs to run a job. `command` is the pinned template's argument vector, never a shell
 * string; each element may hold placeholders the runner substitutes (`expandCommand`).
 */
export interface Assignment {
  jobId: string;
  projectId: string;
  template: { name: string; version: string };
  command: string[];
  parameters: Record<string, unknown>;
  inputs: AssignedInput[];
  machine: Machine;
  /** `processed/<jobId>/`: every file the command writes into its output folder is uploaded under it. */
  outputFolder: string;
  timeLimitSeconds: number;
  /** The pinned template's sandbox: network, and limits (each within the runner's ceiling). None: no network, the runner's limits. */
  sandbox?: JobSandbox;
  /** What the pinned template needs of the runner's site (modules, an image); a runner that cannot provide it fails the job as `system`. */
  environment?: JobEnvironment;
  heartbeatIntervalMs: number;
  /** Event-store position of the claim: send it as `Cairn-Min-Position` to the file API. */
  position: number;
  /** What the job's Process Run Crate says beyond the run itself; a jobs service that sends none gets a crate without it. */
  provenance?: JobProvenance;
}

/** A person as a crate names them: by username and display name, as the directory knows them. */
export interface ProvenancePerson {
  id: string;
  username?: string;
  displayName?: string;
}

/** The record of a job a runner cannot see from its work alone, for the crate it writes when the job ends. */
export interface JobProvenance {
  requestedAt: string;
  startedAt: string;
  triggeredBy: ProvenancePerson;
  template: { description: string; parameters: Record<string, unknown> };
  /** Each input's content when it was claimed (absent when the jobs service has not seen the file's upload). */
  inputs: { fileId: string; sha256?: string; size?: number }[];
  rerunOf?: string;
  rootJobId: string;
}

/** What a job's command may use, as its template asks: every limit is cut to the runner's own ceiling. */
export interface JobSandbox {
  /** The command reaches the network (the runner's); without it, it has none, loopback included. */
  network?: boolean;
  limits?: JobLimits;
}

/**
 * What a template's command needs of the site its runner runs on. The runner's site configuration says
 * what it can provide; a job it cannot provide for fails with kind `system`, naming what is missing.
 */
export interface JobEnvironment {
  /** Environment modules, loaded in this order before the command (`module load dials`): `dials`, `openbabel/3.1`. */
  modules?: string[];
  /** A container image the site's command wrapper runs the command in, by the name the site gives it: `dials-3.12`. */
  image?: string;
}

/** A module name: it is written into the prologue's shell line, so it holds nothing a shell reads as syntax. */
export const ENVIRONMENT_MODULE = /^[A-Za-z0-9][A-Za-z0-9._+/-]{0,99}$/;
/** An image name (`dials-3.12`, `ghcr.io/lab/dials:3.12`): the same rule, with `:` and `@` for tags and digests. */
export const ENVIRONMENT_IMAGE = /^[A-Za-z0-9][A-Za-z0-9._+/:@-]{0,199}$/;
export const MAX_ENVIRONMENT_MODULES = 20;

export const JOB_LIMITS = ['memoryBytes', 'processes', 'cpuSeconds', 'outputFiles', 'outputBytes'] as const;
export type JobLimitName = (typeof JOB_LIMITS)[number];

/**
 * Per job: resident memory of all its processes together, processes at once (threads included), CPU
 * seconds of all its processes, and the number and total bytes of the files it leaves in its output folder.
 */
export type JobLimits = Partial<Record<JobLimitName, number>>;

export type ClaimReply =
  | { outcome: 'claimed'; assignment: Assignment }
  /** Cancelled while queued, ended, or held by another runner: acknowledge the work item and go on. */
  | { outcome: 'gone'; reason: string };

export interface LogReport {
  jobId: string;
  runnerId: string;
  /** 1, 2, 3... per job, in the order the runner read them; a chunk already recorded is ignored. */
  seq: number;
  stream: 'stdout' | 'stderr';
  text: string;
}

export interface OutputReport {
  jobId: string;
  runnerId: string;
  /** The file as the projects service recorded it after the upload. */
  fileId: string;
  path: string;
  size: number;
  sha256: string;
}

export interface ProgressReport {
  jobId: string;
  runnerId: string;
  /** 0..1 */
  fraction: number;
  message?: string;
}

/** What a runner serves and maps onto its compute (a Slurm runner: the types its site file maps; a local one: its queues). */
export interface AnnounceReport {
  runnerId: string;
  /** Machine keys (`gpu/turbo`). */
  machines: string[];
}

export const RUNNER_ANNOUNCE_INTERVAL_MS = 30_000;
/** Three announcements missed: the runner is taken as gone. */
export const RUNNER_ANNOUNCEMENT_TTL_MS = 3 * RUNNER_ANNOUNCE_INTERVAL_MS;

export interface HeartbeatReport {
  jobId: string;
  runnerId: string;
}

export type FailureKind = 'executor' | 'system';

export interface JobFailure {
  /** GA4GH TES's line: `executor` = the command failed or ran past its limit; `system` = everything else. */
  kind: FailureKind;
  reason: string;
  exitCode?: number;
  /** The last lines of the log, for a reader who does not open the logs. */
  lastLogLines?: string[];
}

export type FinishedReport =
  | { jobId: string; runnerId: string; outcome: 'succeeded'; exitCode: number }
  | { jobId: string; runnerId: string; outcome: 'failed'; failure: JobFailure }
  | { jobId: string; runnerId: string; outcome: 'cancelled' };

/** The answer to every report. `accepted: false` means it changed nothing (duplicate, late, not the holder). */
export interface ReportReply {
  accepted: boolean;
  reason?: string;
  /** On heartbeats: cancellation was requested; stop the command and report `cancelled`. */
  cancel?: boolean;
}

/** A protocol request refused before it was looked at: no valid runner token, or a malformed body. */
export interface ProtocolRefusal {
  refused: true;
  status: 400 | 401 | 403;
  reason: string;
}

/** Placeholders a template's command may hold; anything else in `{{...}}` is refused at registration. */
export const COMMAND_PLACEHOLDERS = {
  /** As a whole element only: expands to one element per staged input file, in the job's input order. */
  inputs: '{{inputs}}',
  /** The folder the command writes its outputs into. */
  outputDir: '{{outputDir}}',
  /** The job's scratch folder (inputs are staged in `<workDir>/inputs`). */
  workDir: '{{workDir}}',
} as const;

const PLACEHOLDER = /\{\{([^{}]*)\}\}/g;
const PARAMETER_PLACEHOLDER = /^parameters\.([A-Za-z_][A-Za-z0-9_]*)$/;

/** The placeholders of a command that are not known: empty when the command is well formed. */
export function unknownPlaceholdersOf(command: readonly string[]): string[] {
  const unknown: string[] = [];
  for (const element of command) {
    for (const [, name] of element.matchAll(PLACEHOLDER)) {
      if (name === 'inputs' && element !== COMMAND_PLACEHOLDERS.inputs) unknown.push(`{{inputs}} inside "${element}"`);
      else if (!['inputs', 'outputDir', 'workDir'].includes(name) && !PARAMETER_PLACEHOLDER.test(name)) unknown.push(`{{${name}}}`);
    }
  }
  return unknown;
}

/**
 * The argument vector a runner executes: placeholders replaced by literal strings (a parameter that is
 * not a string is JSON-encoded; a missing one becomes the empty string). Nothing here is ever given to a
 * shell, so no value needs quoting.
 */
export function expandCommand(
  command: readonly string[],
  values: { inputs: string[]; outputDir: string; workDir: string; parameters: Record<string, unknown> },
): string[] {
  return command.flatMap((element) => {
    if (element === COMMAND_PLACEHOLDERS.inputs) return values.inputs;
    return [
      element.replace(PLACEHOLDER, (whole, name: string) => {
        if (name === 'outputDir') return values.outputDir;
        if (name === 'workDir') return values.workDir;
        const parameter = PARAMETER_PLACEHOLDER.exec(name);
        if (!parameter) return whole;
        const value = values.parameters[parameter[1]];
        if (value === undefined || value === null) return '';
        return typeof value === 'string' ? value : JSON.stringify(value);
      }),
    ];
  });
}
