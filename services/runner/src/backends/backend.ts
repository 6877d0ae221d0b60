import type { Readable } from 'node:stream';
import type { JobSandbox, Machine } from '@cairn/contracts';
import type { CommandEnd } from '../domain/outcome';
import type { LogStream } from '../domain/log-chunks';

/** An input as the runner hands it to a backend: where it goes below `inputs/` (its project path) and where its bytes come from. */
export interface InputSource {
  /** `raw/run1/img_0001.cbf`, with `/` separators (`stagedPathsOf`). */
  name: string;
  open(): Promise<Readable>;
}

/** A job's place on the machine that runs it. */
export interface Workspace {
  jobId: string;
  /** The job's scratch folder (`{{workDir}}`); inputs are in `<workDir>/inputs`. */
  workDir: string;
  /** `{{outputDir}}`: everything the command leaves here is uploaded. */
  outputDir: string;
  /** `{{inputs}}`, in the job's input order. */
  inputPaths: string[];
  /**
   * Backends whose commands outlive the runner: a folder beside the job's, kept as long as it, where
   * the runner keeps what it needs to take the job up again after a restart (`JobJournal`).
   */
  runnerDir?: string;
}

/** What a backend runs: the expanded argument vector, on which machine type, for how long at most. */
export interface CommandSpec {
  argv: readonly string[];
  machine: Machine;
  /** The backend stops the command once it runs longer (a scheduler enforces it itself). */
  timeLimitSeconds: number;
  /** What the template asks of a sandbox (network, limits); a backend without one ignores it. */
  sandbox?: JobSandbox;
  /**
   * Shell lines the site runs before the command, in the command's shell (its prologue, the template's
   * modules loaded): a line that fails, or a program missing after them, ends the command as not started
   * where the backend can tell (a batch script), else with exit code 127 and a `cairn:` line on stderr.
   */
  prologue?: readonly string[];
}

export interface CommandOutput {
  stream: LogStream;
  text: string;
}

/** The code units of each stream's decoded output a listener has had: where following it again resumes. */
export type StreamOffsets = Record<LogStream, number>;

export const NO_OUTPUT_YET: StreamOffsets = { stdout: 0, stderr: 0 };

export interface CommandObserver {
  /**
   * The command's output in the order it was read. A returned promise holds back further output until
   * it settles, so a command cannot outrun the log reports.
   */
  output(output: CommandOutput): void | Promise<void>;
  /** Where a scheduler holds the command, once per change ("waiting in Slurm's queue: ..."); backends running it at once never say. */
  placed?(placement: string): void;
}

export interface RunningCommand {
  /** Stops the command and everything it started (a grace period, then for good); `ended` then resolves. */
  stop(): Promise<void>;
  /** Resolves once the command has ended and all of its output has reached the observer. */
  readonly ended: Promise<CommandEnd>;
}

export interface OutputFile {
  /** Below the output folder, with `/` separators. */
  relativePath: string;
  localPath: string;
  size: number;
}

/** A command a backend started under an earlier runner process, found again: its workspace, to be followed from where the runner left it. */
export interface Reattachment {
  workspace: Workspace;
  follow(observer: CommandObserver, from: StreamOffsets): RunningCommand;
}

/**
 * Where and how a job's command runs. The runner claims, reports and moves bytes; a backend only stages,
 * starts, follows and stops. `local` runs the command as a child process here; `slurm` stages into a
 * shared folder, submits a batch job, follows its output files and state, and cancels it.
 */
export interface ExecutionBackend {
  readonly name: string;
  /** What keeps a command from the runner: `bubblewrap` (local), `none` (local, `CAIRN_RUNNER_SANDBOX=none`), `scheduler` (a batch job elsewhere). */
  readonly sandbox: 'bubblewrap' | 'none' | 'scheduler';
  /** The machine types it maps onto its compute (a scheduler's mapping); none: it runs every type it is given. */
  readonly mapped?: readonly string[];
  /** A scratch folder with the inputs in place and an empty output folder. */
  stage(jobId: string, inputs: readonly InputSource[]): Promise<Workspace>;
  /** Starts the (already expanded) argument vector, without a shell. */
  start(workspace: Workspace, spec: CommandSpec, observer: CommandObserver): RunningCommand;
  /** Every regular file the command left in the output folder (links are not followed). */
  outputs(workspace: Workspace): Promise<OutputFile[]>;
  /** Removes the scratch folder. */
  release(workspace: Workspace): Promise<void>;
  /**
   * Backends whose commands outlive the runner process (a batch scheduler's jobs): the jobs an earlier
   * process of this runner started and did not release, to follow again.
   */
  reattach?(): Promise<Reattachment[]>;
}
