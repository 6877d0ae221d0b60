import { LastLines, LogChunker, type LogChunk } from '../domain/log-chunks';
import { NO_OUTPUT_YET, type CommandOutput, type StreamOffsets } from '../backends/backend';
import type { JobsClient } from './jobs-client';
import { untilAnswered } from './retry';

export interface LogLimits {
  /** Largest chunk, in UTF-8 bytes. */
  maxChunkBytes: number;
  /** Output younger than this waits for more before it is sent. */
  flushIntervalMs: number;
  /** Chunks waiting to be sent before the command's output is held back. */
  maxQueuedChunks: number;
  /** How long one chunk is retried while the jobs service does not answer. */
  patienceMs: number;
}

export const DEFAULT_LOG_LIMITS: LogLimits = { maxChunkBytes: 16 * 1024, flushIntervalMs: 200, maxQueuedChunks: 32, patienceMs: 60_000 };

/** The last chunk handed to the jobs service, and how much of each stream it and those before it hold. */
export interface LogPosition {
  chunk: LogChunk;
  covered: StreamOffsets;
}

/** Where a log whose command outlives the runner is kept track of, each chunk before it is sent. */
export interface LogJournal {
  record(position: LogPosition): Promise<void>;
}

/**
 * Sends a job's output as log reports, one at a time and in seq order, so the jobs service records the
 * chunks in the order they were read. While too many wait, the command's output is held back.
 * With a journal, each chunk's position is recorded before it is sent; a shipper made from the last
 * recorded position (after a restart) sends that chunk again (the jobs service keeps a seq once) and
 * goes on with the next seq, so the log has every piece of output once.
 */
export class LogShipper {
  private readonly chunker: LogChunker;
  readonly lastLines = new LastLines();
  private readonly queue: LogChunk[] = [];
  private sending?: Promise<void>;
  private roomWaiters: (() => void)[] = [];
  private readonly timer: NodeJS.Timeout;
  private failure?: Error;
  private readonly covered: StreamOffsets;

  constructor(
    private readonly job: { jobId: string; runnerId: string },
    private readonly jobs: JobsClient,
    private readonly limits: LogLimits,
    private readonly log: (line: string) => void,
    private readonly durable?: { journal: LogJournal; from?: LogPosition },
  ) {
    const from = durable?.from;
    this.chunker = new LogChunker(limits.maxChunkBytes, from?.chunk.seq ?? 0);
    this.covered = { ...(from?.covered ?? NO_OUTPUT_YET) };
    this.timer = setInterval(() => this.enqueue(this.chunker.flush()), limits.flushIntervalMs);
    if (from) this.enqueue([from.chunk]);
  }

  accept(output: CommandOutput): void | Promise<void> {
    this.lastLines.add(output.stream, output.text);
    this.enqueue(this.chunker.add(output.stream, output.text));
    if (this.queue.length < this.limits.maxQueuedChunks) return;
    return new Promise((resolve) => this.roomWaiters.push(resolve));
  }

  /** Sends what is left and resolves once every chunk is answered (or given up on). */
  async finish(): Promise<void> {
    clearInterval(this.timer);
    this.enqueue(this.chunker.flush());
    while (this.sending) await this.sending;
  }

  private enqueue(chunks: LogChunk[]): void {
    this.queue.push(...chunks);
    this.sending ??= this.sendAll().finally(() => {
      this.sending = undefined;
    });
  }

  private async sendAll(): Promise<void> {
    while (this.queue.length > 0) {
      const chunk = this.queue.shift()!;
      if (!this.failure) {
        await this.record(chunk);
        await untilAnswered(() => this.jobs.report('log', { ...this.job, ...chunk }), this.limits.patienceMs).catch((error: Error) => {
          // A chunk unanswered for the whole patience means the jobs service is gone: the chunks after it
          // are dropped rather than each waited for in turn (the log then ends early).
          this.failure = error;
          this.log(`job ${this.job.jobId}: log chunk ${chunk.seq} was not recorded (${error.message})`);
        });
      }
      if (this.queue.length < this.limits.maxQueuedChunks) {
        for (const resolve of this.roomWaiters.splice(0)) resolve();
      }
    }
    for (const resolve of this.roomWaiters.splice(0)) resolve();
  }

  private async record(chunk: LogChunk): Promise<void> {
    if (!this.durable) return;
    if (chunk.seq === this.durable.from?.chunk.seq) return;
    this.covered[chunk.stream] += chunk.text.length;
    await this.durable.journal
      .record({ chunk, covered: { ...this.covered } })
      .catch((error: Error) => this.log(`job ${this.job.jobId}: the position of log chunk ${chunk.seq} was not kept (${error.message}); a restart may repeat output`));
  }
}
