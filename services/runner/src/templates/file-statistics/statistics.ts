import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { basename } from 'node:path';

export interface HistogramBin {
  /** First and last byte value the bin counts, inclusive. */
  from: number;
  to: number;
  count: number;
}

export interface FileStatistics {
  name: string;
  bytes: number;
  /** Newline-terminated lines, plus a last line that has no newline: what an editor shows. */
  lines: number;
  sha256: string;
  /** How often each byte value occurs, in `bins` equal ranges of 0..255. */
  histogram: HistogramBin[];
}

const NEWLINE = 0x0a;

/** Statistics of a content read in chunks, so a file of any size is read once, in constant memory. */
export class StatisticsAccumulator {
  private readonly hash = createHash('sha256');
  private readonly byteCounts = new Float64Array(256);
  private bytes = 0;
  private newlines = 0;
  private lastByte: number | undefined;

  constructor(private readonly bins: number) {
    if (!Number.isInteger(bins) || bins < 1 || bins > 256) throw new RangeError(`bins must be an integer from 1 to 256, got ${bins}`);
  }

  add(chunk: Uint8Array): void {
    this.hash.update(chunk);
    this.bytes += chunk.length;
    for (const byte of chunk) {
      this.byteCounts[byte] += 1;
      if (byte === NEWLINE) this.newlines += 1;
    }
    if (chunk.length > 0) this.lastByte = chunk[chunk.length - 1];
  }

  result(name: string): FileStatistics {
    const histogram: HistogramBin[] = [];
    for (let bin = 0; bin < this.bins; bin += 1) {
      const from = Math.ceil((bin * 256) / this.bins);
      const to = Math.ceil(((bin + 1) * 256) / this.bins) - 1;
      let count = 0;
      for (let value = from; value <= to; value += 1) count += this.byteCounts[value];
      histogram.push({ from, to, count });
    }
    const unterminated = this.lastByte !== undefined && this.lastByte !== NEWLINE ? 1 : 0;
    return { name, bytes: this.bytes, lines: this.newlines + unterminated, sha256: this.hash.digest('hex'), histogram };
  }
}

export async function statisticsOfFile(path: string, bins: number): Promise<FileStatistics> {
  const accumulator = new StatisticsAccumulator(bins);
  for await (const chunk of createReadStream(path)) accumulator.add(chunk as Buffer);
  return accumulator.result(basename(path));
}

const BAR_WIDTH = 40;
const hex = (value: number) => `0x${value.toString(16).padStart(2, '0')}`;

/** The human-readable report: one section per file, the byte histogram drawn as bars. */
export function reportOf(title: string, files: FileStatistics[]): string {
  const lines = [title, '='.repeat(title.length), ''];
  for (const file of files) {
    const largest = Math.max(1, ...file.histogram.map((bin) => bin.count));
    const countWidth = String(largest).length;
    lines.push(file.name, `  bytes   ${file.bytes}`, `  lines   ${file.lines}`, `  sha256  ${file.sha256}`, `  byte histogram (${file.histogram.length} bins)`);
    for (const bin of file.histogram) {
      const bar = '#'.repeat(Math.round((bin.count / largest) * BAR_WIDTH));
      lines.push(`    ${hex(bin.from)}-${hex(bin.to)} |${bar.padEnd(BAR_WIDTH)}| ${String(bin.count).padStart(countWidth)}`);
    }
    lines.push('');
  }
  return lines.join('\n');
}
