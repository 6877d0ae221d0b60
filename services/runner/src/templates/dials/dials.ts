import { spawn } from 'node:child_process';
import { access, mkdir } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { progressLine } from '../../domain/progress';
import { choiceOption, integerOption, optionOr, parseProgramArguments, UsageError, type ProgramOutput } from '../program';

export const DIALS_STEPS = ['import', 'find_spots'] as const;
export const DIALS_DEFAULTS = { steps: 'find_spots', minSpotSize: 3, nproc: 1 } as const;

/** One DIALS program's run: its argument vector, with its outputs and log named into the job's output folder. */
export function dialsCommandsOf(out: string, images: string[], options: { steps: (typeof DIALS_STEPS)[number]; minSpotSize: number; nproc: number }): string[][] {
  const imported = join(out, 'imported.expt');
  const commands = [['dials.import', ...images, `output.experiments=${imported}`, `output.log=${join(out, 'dials.import.log')}`]];
  if (options.steps === 'find_spots') {
    commands.push([
      'dials.find_spots',
      imported,
      `output.reflections=${join(out, 'strong.refl')}`,
      `output.log=${join(out, 'dials.find_spots.log')}`,
      `spotfinder.filter.min_spot_size=${options.minSpotSize}`,
      `spotfinder.mp.nproc=${options.nproc}`,
    ]);
  }
  return commands;
}

/** Runs one program with its output passed on line by line; rejects naming it when it cannot start or fails. */
function run(argv: string[], output: ProgramOutput): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(argv[0], argv.slice(1), { stdio: ['ignore', 'pipe', 'pipe'] });
    const lines = (write: (line: string) => void) => {
      let rest = '';
      return (chunk: Buffer) => {
        const text = rest + chunk.toString('utf8');
        const parts = text.split('\n');
        rest = parts.pop() ?? '';
        parts.forEach(write);
      };
    };
    child.stdout.on('data', lines(output.out));
    child.stderr.on('data', lines(output.err));
    child.once('error', (error: NodeJS.ErrnoException) =>
      reject(new Error(error.code === 'ENOENT' ? `${argv[0]} is not installed here (Debian's dials; deploy/local/install-tools.sh --with-dials)` : `${argv[0]}: ${error.message}`)),
    );
    child.once('close', (code, signal) => (code === 0 ? resolve() : reject(new Error(`${argv[0]} ${signal ? `was stopped by ${signal}` : `exited with code ${code}`}`))));
  });
}

/**
 * `cairn-dials --out <dir> [--steps import|find_spots] [--min-spot-size N] [--nproc N] -- <image>...`: DIALS on
 * one image set: `dials.import` writes `imported.expt`, then `dials.find_spots` writes `strong.refl`; each
 * writes its log (`dials.import.log`, `dials.find_spots.log`) beside them.
 */
export async function dials(argv: string[], output: ProgramOutput): Promise<void> {
  const { values, positionals: images } = parseProgramArguments(argv, {
    out: { type: 'string' },
    steps: { type: 'string' },
    'min-spot-size': { type: 'string' },
    nproc: { type: 'string' },
  });
  if (!values.out) throw new UsageError('--out <folder> is required');
  if (images.length === 0) throw new UsageError('name the image files of one sweep');
  const options = {
    steps: choiceOption('steps', optionOr(values.steps, DIALS_DEFAULTS.steps), DIALS_STEPS),
    minSpotSize: integerOption('min-spot-size', optionOr(values['min-spot-size'], String(DIALS_DEFAULTS.minSpotSize)), 1, 100),
    nproc: integerOption('nproc', optionOr(values.nproc, String(DIALS_DEFAULTS.nproc)), 1, 64),
  };
  await mkdir(values.out, { recursive: true });
  const commands = dialsCommandsOf(values.out, images, options);
  for (const [index, command] of commands.entries()) {
    output.out(`${command[0]} on ${images.length} image(s)`);
    await run(command, output);
    // dials.import answers 0 when it can use none of its arguments ("Unable to handle the following arguments"), and writes nothing.
    const written = command.find((argument) => /^output\.(experiments|reflections)=/.test(argument))!.split('=')[1];
    await access(written).catch(() => {
      throw new Error(`${command[0]} wrote no ${basename(written)}: it could not use the inputs (its output above says why)`);
    });
    output.out(progressLine((index + 1) / commands.length, `${command[0]} done`));
  }
}
