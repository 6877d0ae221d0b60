import { execFile } from 'node:child_process';
import { mkdir, stat } from 'node:fs/promises';
import { basename, extname, join } from 'node:path';
import { promisify } from 'node:util';
import { progressLine } from '../../domain/progress';
import { choiceOption, integerOption, optionOr, parseProgramArguments, UsageError, type ProgramOutput } from '../program';

export const STYLES = ['ball-and-stick', 'cartoon', 'wireframe'] as const;
export const VIEWS = ['front', 'all'] as const;
export const MOLECULE_FORMATS = ['xyz', 'pdb', 'mol', 'sdf'] as const;
export const RENDER_MOLECULE_DEFAULTS = { style: 'ball-and-stick', view: 'front', width: 600 } as const;
export const MIN_WIDTH = 120;
export const MAX_WIDTH = 4000;

export interface RenderOptions {
  style: (typeof STYLES)[number];
  view: (typeof VIEWS)[number];
  width: number;
}

const IMAGE_FORMATS = ['svg', 'png'] as const;
type ImageFormat = (typeof IMAGE_FORMATS)[number];

/**
 * The template's parameters as Open Babel options (deploy/templates/README.md, "Render Molecule"). Open Babel
 * draws a 2D depiction, so a 3D viewing direction has no meaning there: `view` says which atoms are drawn,
 * `style` how.
 */
export function openBabelOptionsOf(options: RenderOptions, format: ImageFormat): string[] {
  const style = { 'ball-and-stick': ['-xS'], wireframe: [], cartoon: ['-xC', '-xt'] }[options.style];
  const view = { front: [], all: ['-h', '-xa'] }[options.view];
  const size = format === 'svg' ? ['-xP', String(options.width)] : ['-xp', String(options.width)];
  return [...view, ...style, ...size];
}

const run = promisify(execFile);

/** Open Babel answers 0 even when it read nothing; its count line says what it converted. */
const convertedCountOf = (stderr: string) => Number(/(\d+) molecules? converted/.exec(stderr)?.[1] ?? 0);

/**
 * `cairn-render-molecule --out <dir> [--style S] [--view V] [--width W] -- <input>...`: each XYZ, PDB, MOL or
 * SDF input drawn by Open Babel's `obabel` as `<dir>/<input name>.svg` and `.png`.
 */
export async function renderMolecule(argv: string[], output: ProgramOutput): Promise<void> {
  const { values, positionals: inputs } = parseProgramArguments(argv, {
    out: { type: 'string' },
    style: { type: 'string' },
    view: { type: 'string' },
    width: { type: 'string' },
  });
  if (!values.out) throw new UsageError('--out <folder> is required');
  if (inputs.length === 0) throw new UsageError(`name at least one molecule file (${MOLECULE_FORMATS.join(', ')})`);
  const options: RenderOptions = {
    style: choiceOption('style', optionOr(values.style, RENDER_MOLECULE_DEFAULTS.style), STYLES),
    view: choiceOption('view', optionOr(values.view, RENDER_MOLECULE_DEFAULTS.view), VIEWS),
    width: integerOption('width', optionOr(values.width, String(RENDER_MOLECULE_DEFAULTS.width)), MIN_WIDTH, MAX_WIDTH),
  };
  await mkdir(values.out, { recursive: true });
  for (const [index, input] of inputs.entries()) {
    const name = basename(input);
    const format = extname(name).slice(1).toLowerCase();
    if (!(MOLECULE_FORMATS as readonly string[]).includes(format)) throw new Error(`${name} is not a molecule file Render Molecule draws (${MOLECULE_FORMATS.join(', ')})`);
    for (const image of IMAGE_FORMATS) {
      const file = `${name.slice(0, -extname(name).length)}.${image}`;
      const args = [`-i${format}`, input, '-O', join(values.out, file), ...openBabelOptionsOf(options, image)];
      output.out(`obabel ${args.join(' ')}`);
      const { stderr } = await run('obabel', args);
      if (convertedCountOf(stderr) === 0 || (await stat(join(values.out, file))).size === 0) {
        throw new Error(`${name}: Open Babel drew no molecule from it: ${stderr.trim().replace(/\s*\n\s*/g, ' ')}`);
      }
      output.out(`wrote ${file} (${options.style}, ${options.view}, ${options.width} px wide)`);
    }
    output.out(progressLine((index + 1) / inputs.length, `${index + 1} of ${inputs.length} drawn`));
  }
}
