import { appendFile, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { CommandOutput } from '../backends/backend';

/** The name of the job's whole log in its output folder, beside the outputs. */
export const JOB_LOG_NAME = 'job.log';

/**
 * The job's whole output, both streams in the order read, kept by the runner where the command cannot
 * write (beside the job folder when the backend has a runner folder, else in a folder of its own), to be
 * uploaded into `processed/<job>/` when the job ends.
 */
export class JobLogFile {
  private writes: Promise<void> = Promise.resolve();
  private failure?: Error;

  private constructor(
    readonly path: string,
    private readonly ownFolder: string | undefined,
  ) {}

  static async open(runnerDir: string | undefined): Promise<JobLogFile> {
    if (runnerDir !== undefined) return new JobLogFile(join(runnerDir, JOB_LOG_NAME), undefined);
    const folder = await mkdtemp(join(tmpdir(), 'cairn-job-log-'));
    return new JobLogFile(join(folder, JOB_LOG_NAME), folder);
  }

  append(output: CommandOutput): void {
    this.writes = this.writes.then(() => appendFile(this.path, output.text)).catch((error: Error) => void (this.failure ??= error));
  }

  /** Everything appended is on disk; the first write that failed, if one did. */
  async flushed(): Promise<Error | undefined> {
    await this.writes;
    // A command that wrote nothing still has a log: an empty one.
    await appendFile(this.path, '').catch((error: Error) => void (this.failure ??= error));
    return this.failure;
  }

  async remove(): Promise<void> {
    await (this.ownFolder === undefined ? rm(this.path, { force: true }) : rm(this.ownFolder, { recursive: true, force: true }));
  }
}
