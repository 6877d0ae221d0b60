import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { UsageError, type ProgramOutput } from '../program';
import { fileStatistics } from './file-statistics';
import { reportOf, StatisticsAccumulator } from './statistics';

const quiet = (): ProgramOutput & { lines: string[] } => {
  const lines: string[] = [];
  return { lines, out: (line) => lines.push(line), err: (line) => lines.push(line) };
};

describe('File Statistics ("lines, bytes, SHA-256 and a histogram of each input, written as stats.json plus report.txt")', () => {
  it('counts bytes, lines (a last line without a newline counts too) and the SHA-256 of the content', () => {
    const accumulator = new StatisticsAccumulator(4);
    accumulator.add(Buffer.from('a,b\n1,2'));
    accumulator.add(Buffer.from('\n3,4'));
    const result = accumulator.result('t.csv');
    expect(result).toMatchObject({ name: 't.csv', bytes: 11, lines: 3, sha256: createHash('sha256').update('a,b\n1,2\n3,4').digest('hex') });
  });

  it('counts no line in an empty file and one in a file that is a single newline', () => {
    expect(new StatisticsAccumulator(1).result('empty').lines).toBe(0);
    const newline = new StatisticsAccumulator(1);
    newline.add(Buffer.from('\n'));
    expect(newline.result('nl').lines).toBe(1);
  });

  it('histograms the byte values in equal bins covering 0..255', () => {
    const accumulator = new StatisticsAccumulator(3);
    accumulator.add(Uint8Array.from([0, 85, 86, 170, 171, 255, 255]));
    expect(accumulator.result('b').histogram).toEqual([
      { from: 0, to: 85, count: 2 },
      { from: 86, to: 170, count: 2 },
      { from: 171, to: 255, count: 3 },
    ]);
  });

  it('draws the histogram as bars scaled to the fullest bin in report.txt', () => {
    const report = reportOf('Run 7', [{ name: 'x.txt', bytes: 3, lines: 1, sha256: 'ab', histogram: [{ from: 0, to: 127, count: 2 }, { from: 128, to: 255, count: 1 }] }]);
    expect(report.split('\n')).toEqual([
      'Run 7',
      '=====',
      '',
      'x.txt',
      '  bytes   3',
      '  lines   1',
      '  sha256  ab',
      '  byte histogram (2 bins)',
      `    0x00-0x7f |${'#'.repeat(40)}| 2`,
      `    0x80-0xff |${'#'.repeat(20).padEnd(40)}| 1`,
      '',
    ]);
  });

  it('writes stats.json and report.txt for every input, in the input order', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'file-stats-'));
    writeFileSync(join(dir, 'a.txt'), 'hello\nworld\n');
    writeFileSync(join(dir, 'b.bin'), Buffer.from([0, 255]));
    const output = quiet();

    await fileStatistics(['--out', join(dir, 'out'), '--bins', '2', '--title', 'Run 7', '--', join(dir, 'a.txt'), join(dir, 'b.bin')], output);

    const stats = JSON.parse(readFileSync(join(dir, 'out', 'stats.json'), 'utf8'));
    expect(stats.title).toBe('Run 7');
    expect(stats.files.map((file: { name: string; bytes: number; lines: number }) => [file.name, file.bytes, file.lines])).toEqual([
      ['a.txt', 12, 2],
      ['b.bin', 2, 1],
    ]);
    expect(stats.files[1].histogram).toEqual([
      { from: 0, to: 127, count: 1 },
      { from: 128, to: 255, count: 1 },
    ]);
    expect(readFileSync(join(dir, 'out', 'report.txt'), 'utf8')).toContain('a.txt\n  bytes   12\n  lines   2');
    expect(output.lines).toContain('wrote stats.json and report.txt for 2 files');
  });

  it('takes an empty parameter (a template parameter left out) as its default', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'file-stats-'));
    writeFileSync(join(dir, 'a.txt'), 'x');
    await fileStatistics(['--out', dir, '--bins', '', '--title', '', '--', join(dir, 'a.txt')], quiet());
    expect(JSON.parse(readFileSync(join(dir, 'stats.json'), 'utf8'))).toMatchObject({ title: 'File statistics', bins: 16 });
  });

  it.each([
    [['--bins', '4', 'a.txt'], '--out <folder> is required'],
    [['--out', '/tmp/x'], 'name at least one input file'],
    [['--out', '/tmp/x', '--bins', '0', 'a.txt'], '--bins must be an integer from 1 to 256, got "0"'],
    [['--out', '/tmp/x', '--colour', 'red', 'a.txt'], "Unknown option '--colour'"],
  ])('refuses %j as a usage error', async (argv, message) => {
    const refusal = fileStatistics(argv, quiet());
    await expect(refusal).rejects.toBeInstanceOf(UsageError);
    await expect(refusal).rejects.toThrow(message);
  });
});
