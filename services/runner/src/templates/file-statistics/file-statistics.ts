import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { progressLine } from '../../domain/progress';
import { integerOption, optionOr, parseProgramArguments, UsageError, type ProgramOutput } from '../program';
import { reportOf, statisticsOfFile, type FileStatistics } from './statistics';

export const FILE_STATISTICS_DEFAULTS = { bins: 16, title: 'File statistics' } as const;

/**
 * `cairn-file-stats --out <dir> [--bins N] [--title T] -- <input>...`: lines, bytes, SHA-256 and a byte
 * histogram of each input, written to `<dir>/stats.json` and `<dir>/report.txt`.
 */
export async function fileStatistics(argv: string[], output: ProgramOutput): Promise<void> {
  const { values, positionals: inputs } = parseProgramArguments(argv, {
    out: { type: 'string' },
    bins: { type: 'string' },
    title: { type: 'string' },
  });
  if (!values.out) throw new UsageError('--out <folder> is required');
  if (inputs.length === 0) throw new UsageError('name at least one input file');
  const bins = integerOption('bins', optionOr(values.bins, String(FILE_STATISTICS_DEFAULTS.bins)), 1, 256);
  const title = optionOr(values.title, FILE_STATISTICS_DEFAULTS.title);

  const files: FileStatistics[] = [];
  for (const [index, input] of inputs.entries()) {
    const statistics = await statisticsOfFile(input, bins);
    files.push(statistics);
    output.out(`[${index + 1}/${inputs.length}] ${statistics.name}: ${statistics.lines} lines, ${statistics.bytes} bytes, sha256 ${statistics.sha256}`);
    output.out(progressLine((index + 1) / inputs.length, `${index + 1} of ${inputs.length} files read`));
  }
  await mkdir(values.out, { recursive: true });
  await writeFile(join(values.out, 'stats.json'), `${JSON.stringify({ title, bins, files }, null, 2)}\n`);
  await writeFile(join(values.out, 'report.txt'), reportOf(title, files));
  output.out(`wrote stats.json and report.txt for ${files.length} file${files.length === 1 ? '' : 's'}`);
}
