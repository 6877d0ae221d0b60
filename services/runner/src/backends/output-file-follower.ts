import { open } from 'node:fs/promises';
import { StringDecoder } from 'node:string_decoder';
import type { LogStream } from '../domain/log-chunks';
import type { CommandObserver } from './backend';

const READ_BYTES = 64 * 1024;

/**
 * Follows a file another machine writes (a batch job's stdout on a shared file system): each `read`
 * hands what was added since the last one to the observer, decoded as UTF-8, a character split across
 * two reads kept whole. Following it again from `skip` code units of decoded text (where an earlier
 * runner process left it) decodes the file from its start, which gives the same text whatever the
 * reads were, and hands on only what follows.
 */
export class OutputFileFollower {
  private offset = 0;
  private readonly decoder = new StringDecoder('utf8');
  private reading: Promise<void> = Promise.resolve();
  private finished = false;

  constructor(
    private readonly path: string,
    private readonly stream: LogStream,
    private readonly observer: CommandObserver,
    private skip = 0,
  ) {}

  /** Reads what is new, after any read still under way. */
  read(): Promise<void> {
    this.reading = this.reading.then(() => this.readNew());
    return this.reading;
  }

  /** The last read once the writer has ended: a character cut off at the end is handed on as U+FFFD. */
  finish(): Promise<void> {
    this.reading = this.reading.then(async () => {
      await this.readNew();
      if (this.finished) return;
      this.finished = true;
      await this.deliver(this.decoder.end());
    });
    return this.reading;
  }

  private async readNew(): Promise<void> {
    if (this.finished) return;
    const file = await open(this.path, 'r').catch((error: NodeJS.ErrnoException) => {
      // The job has not started writing it yet.
      if (error.code === 'ENOENT') return undefined;
      throw error;
    });
    if (!file) return;
    try {
      const buffer = Buffer.alloc(READ_BYTES);
      for (;;) {
        const { bytesRead } = await file.read(buffer, 0, READ_BYTES, this.offset);
        if (bytesRead === 0) return;
        this.offset += bytesRead;
        await this.deliver(this.decoder.write(buffer.subarray(0, bytesRead)));
      }
    } finally {
      await file.close();
    }
  }

  private async deliver(decoded: string): Promise<void> {
    let text = decoded;
    if (this.skip > 0) {
      const skipped = Math.min(this.skip, text.length);
      this.skip -= skipped;
      text = text.slice(skipped);
    }
    if (text !== '') await this.observer.output({ stream: this.stream, text });
  }
}
