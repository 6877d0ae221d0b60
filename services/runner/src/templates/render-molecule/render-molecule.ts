import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { progressLine } from '../../domain/progress';
import { choiceOption, integerOption, optionOr, parseProgramArguments, UsageError, type ProgramOutput } from '../program';
import { formulaOf, parseMolecule } from './molecule';
import { renderSvg, STYLES, VIEWS } from './svg';

export const RENDER_MOLECULE_DEFAULTS = { style: 'ball-and-stick', view: 'front', width: 600 } as const;
export const MIN_WIDTH = 120;
export const MAX_WIDTH = 4000;

/**
 * `cairn-render-molecule --out <dir> [--style S] [--view V] [--width W] -- <input>...`: each XYZ or PDB
 * input drawn as `<dir>/<input name>.svg`.
 */
export async function renderMolecule(argv: string[], output: ProgramOutput): Promise<void> {
  const { values, positionals: inputs } = parseProgramArguments(argv, {
    out: { type: 'string' },
    style: { type: 'string' },
    view: { type: 'string' },
    width: { type: 'string' },
  });
  if (!values.out) throw new UsageError('--out <folder> is required');
  if (inputs.length === 0) throw new UsageError('name at least one XYZ or PDB file');
  const options = {
    style: choiceOption('style', optionOr(values.style, RENDER_MOLECULE_DEFAULTS.style), STYLES),
    view: choiceOption('view', optionOr(values.view, RENDER_MOLECULE_DEFAULTS.view), VIEWS),
    width: integerOption('width', optionOr(values.width, String(RENDER_MOLECULE_DEFAULTS.width)), MIN_WIDTH, MAX_WIDTH),
  };
  await mkdir(values.out, { recursive: true });
  for (const [index, input] of inputs.entries()) {
    const name = basename(input);
    const molecule = parseMolecule(name, await readFile(input, 'utf8'));
    output.out(`${name}: ${molecule.title}, ${formulaOf(molecule.atoms)}, ${molecule.atoms.length} atoms`);
    const image = `${name.replace(/\.[^.]*$/, '')}.svg`;
    await writeFile(join(values.out, image), renderSvg(molecule, options));
    output.out(`wrote ${image} (${options.style}, ${options.view} view, ${options.width} px wide)`);
    output.out(progressLine((index + 1) / inputs.length, `${index + 1} of ${inputs.length} drawn`));
  }
}
