import type { Readable } from 'node:stream';
import type { CommandEnd } from '../domain/outcome';
import type { LogStream } from '../domain/log-chunks';

/** An input as the runner hands it to a backend: the name it gets and where its bytes come from. */
export interface InputSource {
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
}

export interface CommandOutput {
  stream: LogStream;
  text: string;
}

/**
 * Receives the command's output in the order it was read. A returned promise holds back further output
 * until it settles, so a command cannot outrun the log reports.
 */
export type OutputListener = (output: CommandOutput) => void | Promise<void>;

export interface RunningCommand {
  /** Stops the command and everything it started (a grace period, then for good); `ended` then resolves. */
  stop(): Promise<void>;
  /** Resolves once the command has ended and all of its output has reached the listener. */
  readonly ended: Promise<CommandEnd>;
}

export interface OutputFile {
  /** Below the output folder, with `/` separators. */
  relativePath: string;
  localPath: string;
  size: number;
}

/**
 * Where and how a job's command runs. The runner claims, reports and moves bytes; a backend only stages,
 * starts, follows and stops. `local` runs the command as a child process here; a Slurm backend would
 * stage into a shared folder, `sbatch`, follow the job's output files, `scancel` and poll `squeue`.
 */
export interface ExecutionBackend {
  readonly name: string;
  /** A scratch folder with the inputs in place and an empty output folder. */
  stage(jobId: string, inputs: readonly InputSource[]): Promise<Workspace>;
  /** Starts the (already expanded) argument vector, without a shell. */
  start(workspace: Workspace, argv: readonly string[], onOutput: OutputListener): RunningCommand;
  /** Every regular file the command left in the output folder (links are not followed). */
  outputs(workspace: Workspace): Promise<OutputFile[]>;
  /** Removes the scratch folder. */
  release(workspace: Workspace): Promise<void>;
}
