import { copyFileSync, mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openBabelUnavailableReason } from '@cairn/testing';
import { UsageError } from '../program';
import { openBabelOptionsOf, renderMolecule } from './render-molecule';

const SAMPLES = join(__dirname, '../../../samples');
const quiet = { out: () => undefined, err: () => undefined };

describe("the template's parameters as Open Babel options", () => {
  it.each([
    [{ style: 'ball-and-stick', view: 'front', width: 600 }, 'svg', ['-xS', '-xP', '600']],
    [{ style: 'wireframe', view: 'front', width: 300 }, 'png', ['-xp', '300']],
    [{ style: 'cartoon', view: 'all', width: 900 }, 'svg', ['-h', '-xa', '-xC', '-xt', '-xP', '900']],
  ] as const)('%j as %s: %j', (options, format, expected) => {
    expect(openBabelOptionsOf(options, format)).toEqual(expected);
  });
});

const withoutOpenBabel = openBabelUnavailableReason();

(withoutOpenBabel ? describe.skip : describe)(`the Render Molecule program (Open Babel)${withoutOpenBabel ? ` (skipped: ${withoutOpenBabel})` : ''}`, () => {
  it('draws each input as an SVG and a PNG named after it', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'render-'));
    for (const name of ['caffeine.xyz', 'helix.pdb']) copyFileSync(join(SAMPLES, name), join(dir, name));

    await renderMolecule(['--out', join(dir, 'out'), '--style', 'cartoon', '--view', 'all', '--width', '300', '--', join(dir, 'caffeine.xyz'), join(dir, 'helix.pdb')], quiet);

    expect(readdirSync(join(dir, 'out')).sort()).toEqual(['caffeine.png', 'caffeine.svg', 'helix.png', 'helix.svg']);
    expect(readFileSync(join(dir, 'out', 'helix.svg'), 'utf8')).toContain('width="300px"');
    expect(readFileSync(join(dir, 'out', 'caffeine.png')).subarray(1, 4).toString()).toBe('PNG');
  });

  it('uses the template defaults for parameters left out (ball-and-stick, front, 600 px)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'render-'));
    await renderMolecule(['--out', dir, '--style', '', '--view', '', '--width', '', join(SAMPLES, 'water.xyz')], quiet);
    expect(readFileSync(join(dir, 'water.svg'), 'utf8')).toContain('width="600px"');
  });

  it('fails on a molecule file Open Babel cannot read, naming it', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'render-'));
    copyFileSync(join(SAMPLES, 'measurements.csv'), join(dir, 'broken.xyz'));
    await expect(renderMolecule(['--out', dir, join(dir, 'broken.xyz')], quiet)).rejects.toThrow('broken.xyz: Open Babel drew no molecule from it');
  });
});

describe('the Render Molecule program refuses', () => {
  it.each([
    [['--out', '/tmp/x', '--style', 'space-filling', 'a.xyz'], '--style must be one of ball-and-stick, cartoon, wireframe, got "space-filling"'],
    [['--out', '/tmp/x', '--view', 'side', 'a.xyz'], '--view must be one of front, all, got "side"'],
    [['--out', '/tmp/x', '--width', '50', 'a.xyz'], '--width must be an integer from 120 to 4000, got "50"'],
    [['--out', '/tmp/x'], 'name at least one molecule file (xyz, pdb, mol, sdf)'],
  ])('%j as a usage error', async (argv, message) => {
    const refusal = renderMolecule(argv, quiet);
    await expect(refusal).rejects.toBeInstanceOf(UsageError);
    await expect(refusal).rejects.toThrow(message);
  });

  it('an input that is no molecule file, naming it', async () => {
    await expect(renderMolecule(['--out', mkdtempSync(join(tmpdir(), 'render-')), join(SAMPLES, 'measurements.csv')], quiet)).rejects.toThrow('measurements.csv is not a molecule file Render Molecule draws (xyz, pdb, mol, sdf)');
  });
});
