export type LogStream = 'stdout' | 'stderr';

export interface LogChunk {
  /** 1, 2, 3... in the order the output was read. */
  seq: number;
  stream: LogStream;
  text: string;
}

/**
 * Cuts a command's output into ordered chunks of one stream each and at most `maxBytes` of UTF-8, ending
 * a chunk at a line break where one is near the limit. Output is held until a chunk is full, the stream
 * changes, or the caller flushes (on a timer, and at the end), so a chatty command sends few reports.
 */
export class LogChunker {
  private pending?: { stream: LogStream; text: string };

  /** `seq`: that of the chunk before the first this one makes (0, or where a log taken up again after a restart stood). */
  constructor(
    private readonly maxBytes: number,
    private seq = 0,
  ) {
    if (!Number.isInteger(maxBytes) || maxBytes < 4) throw new RangeError('a log chunk must hold at least 4 bytes (one character)');
  }

  add(stream: LogStream, text: string): LogChunk[] {
    const ready = this.pending && this.pending.stream !== stream ? this.flush() : [];
    let buffered = (this.pending?.text ?? '') + text;
    while (Buffer.byteLength(buffered) > this.maxBytes) {
      const cut = cutIndex(buffered, this.maxBytes);
      ready.push(this.chunk(stream, buffered.slice(0, cut)));
      buffered = buffered.slice(cut);
    }
    this.pending = buffered === '' ? undefined : { stream, text: buffered };
    return ready;
  }

  flush(): LogChunk[] {
    const pending = this.pending;
    this.pending = undefined;
    return pending ? [this.chunk(pending.stream, pending.text)] : [];
  }

  private chunk(stream: LogStream, text: string): LogChunk {
    this.seq += 1;
    return { seq: this.seq, stream, text };
  }
}

/** Where to end a chunk of at most `maxBytes`: after the last line break in its second half, else at the limit, never inside a character. */
function cutIndex(text: string, maxBytes: number): number {
  let bytes = 0;
  let index = 0;
  while (index < text.length) {
    const codePoint = text.codePointAt(index)!;
    const width = codePoint < 0x80 ? 1 : codePoint < 0x800 ? 2 : codePoint < 0x10000 ? 3 : 4;
    if (bytes + width > maxBytes) break;
    bytes += width;
    index += codePoint >= 0x10000 ? 2 : 1;
  }
  const lineBreak = text.lastIndexOf('\n', index - 1);
  return lineBreak >= index / 2 ? lineBreak + 1 : index;
}

/** The last lines of a command's output (both streams, in the order read), for a failure's summary. */
export class LastLines {
  private readonly lines: string[] = [];
  private readonly partial: Record<LogStream, string> = { stdout: '', stderr: '' };

  constructor(
    private readonly keep = 20,
    private readonly maxLineLength = 500,
  ) {}

  add(stream: LogStream, text: string): void {
    const parts = (this.partial[stream] + text).split('\n');
    this.partial[stream] = parts.pop()!.slice(-this.maxLineLength * 2);
    for (const line of parts) this.push(line);
  }

  current(): string[] {
    const unfinished = (['stdout', 'stderr'] as const).map((stream) => this.partial[stream]).filter((line) => line !== '');
    return [...this.lines, ...unfinished.map((line) => this.shorten(line))].slice(-this.keep);
  }

  private push(line: string): void {
    this.lines.push(this.shorten(line.replace(/\r$/, '')));
    if (this.lines.length > this.keep) this.lines.shift();
  }

  private shorten(line: string): string {
    return line.length > this.maxLineLength ? `${line.slice(0, this.maxLineLength)}…` : line;
  }
}
