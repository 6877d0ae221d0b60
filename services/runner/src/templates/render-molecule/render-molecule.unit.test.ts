import { copyFileSync, mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { UsageError } from '../program';
import { renderMolecule } from './render-molecule';

const SAMPLES = join(__dirname, '../../../samples');
const quiet = { out: () => undefined, err: () => undefined };

describe('the Render Molecule program', () => {
  it('writes one SVG per input, named after it', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'render-'));
    for (const name of ['caffeine.xyz', 'helix.pdb']) copyFileSync(join(SAMPLES, name), join(dir, name));

    await renderMolecule(['--out', join(dir, 'out'), '--style', 'cartoon', '--view', 'side', '--width', '300', '--', join(dir, 'caffeine.xyz'), join(dir, 'helix.pdb')], quiet);

    expect(readdirSync(join(dir, 'out')).sort()).toEqual(['caffeine.svg', 'helix.svg']);
    expect(readFileSync(join(dir, 'out', 'helix.svg'), 'utf8')).toContain('<g class="view-side">');
  });

  it('uses the template defaults for parameters left out (ball-and-stick, front, 600 px)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'render-'));
    await renderMolecule(['--out', dir, '--style', '', '--view', '', '--width', '', join(SAMPLES, 'water.xyz')], quiet);
    const svg = readFileSync(join(dir, 'water.svg'), 'utf8');
    expect(svg).toContain('width="600"');
    expect(svg).toContain('<g class="view-front">');
    expect(svg).toContain('· ball-and-stick</title>');
  });

  it.each([
    [['--out', '/tmp/x', '--style', 'space-filling', 'a.xyz'], '--style must be one of ball-and-stick, cartoon, wireframe, got "space-filling"'],
    [['--out', '/tmp/x', '--view', 'back', 'a.xyz'], '--view must be one of front, side, top, all, got "back"'],
    [['--out', '/tmp/x', '--width', '50', 'a.xyz'], '--width must be an integer from 120 to 4000, got "50"'],
    [['--out', '/tmp/x'], 'name at least one XYZ or PDB file'],
  ])('refuses %j as a usage error', async (argv, message) => {
    const refusal = renderMolecule(argv, quiet);
    await expect(refusal).rejects.toBeInstanceOf(UsageError);
    await expect(refusal).rejects.toThrow(message);
  });

  it('fails on an input that is no molecule, naming it', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'render-'));
    await expect(renderMolecule(['--out', dir, join(SAMPLES, 'measurements.csv')], quiet)).rejects.toThrow('measurements.csv is neither an XYZ nor a PDB file');
  });
});
