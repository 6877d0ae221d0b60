import { progressOf, type Progress } from '../domain/progress';
import type { CommandOutput } from '../backends/backend';
import type { JobsClient } from './jobs-client';

/**
 * Reports the progress lines of a command's stdout, the latest only: while one report is on its way,
 * newer lines replace each other, so a program announcing progress often costs few reports.
 */
export class ProgressReporter {
  private partial = '';
  private latest?: Progress;
  /** The command has announced progress of its own: where a scheduler holds it says nothing more. */
  private commandSpoke = false;
  private sending?: Promise<void>;

  constructor(
    private readonly job: { jobId: string; runnerId: string },
    private readonly jobs: JobsClient,
    private readonly log: (line: string) => void,
  ) {}

  observe(output: CommandOutput): void {
    if (output.stream !== 'stdout') return;
    const lines = (this.partial + output.text).split('\n');
    this.partial = lines.pop()!.slice(-1024);
    for (const line of lines) {
      const progress = progressOf(line);
      if (progress) {
        this.latest = progress;
        this.commandSpoke = true;
      }
    }
    if (this.latest) this.sending ??= this.sendLatest();
  }

  /** Where a scheduler holds the command ("waiting in Slurm's queue: ..."), as progress 0 until the command speaks for itself. */
  place(placement: string): void {
    if (this.commandSpoke) return;
    this.latest = { fraction: 0, message: placement };
    this.sending ??= this.sendLatest();
  }

  /** Resolves once the last announced progress is reported. */
  async finish(): Promise<void> {
    while (this.sending) await this.sending;
  }

  private async sendLatest(): Promise<void> {
    try {
      while (this.latest) {
        const progress = this.latest;
        this.latest = undefined;
        await this.jobs.report('progress', { ...this.job, ...progress }).catch((error: Error) => this.log(`job ${this.job.jobId}: progress not reported (${error.message})`));
      }
    } finally {
      this.sending = undefined;
    }
  }
}
