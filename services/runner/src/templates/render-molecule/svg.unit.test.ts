import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { colourOf } from './elements';
import { parseMolecule, parseXyz } from './molecule';
import { renderSvg } from './svg';

const SAMPLES = join(__dirname, '../../../samples');
const molecule = (name: string) => parseMolecule(name, readFileSync(join(SAMPLES, name), 'utf8'));
const count = (svg: string, pattern: RegExp) => (svg.match(pattern) ?? []).length;

describe('Render Molecule pictures ("projection of atoms, bonds by distance, colours by element; all = the three views side by side")', () => {
  it('draws every atom of a ball-and-stick picture as a ball in its element\'s colour, and every bond as two half sticks', () => {
    const svg = renderSvg(molecule('caffeine.xyz'), { style: 'ball-and-stick', view: 'front', width: 600 });
    // A ball and its highlight per atom.
    expect(count(svg, /<circle /g)).toBe(2 * 24);
    expect(count(svg, /<line /g)).toBe(2 * 25);
    expect(svg).toContain('<title>caffeine (1,3,7-trimethylxanthine), idealized planar geometry · C8H10N4O2 · 24 atoms · ball-and-stick</title>');
  });

  it('colours atoms by element, and fades the far ones towards the background so depth reads', () => {
    const carbonMonoxide = parseXyz('2\ncarbon monoxide\nC 0 0 0\nO 1.128 0 0\n', 'co');
    const fills = (svg: string) => [...svg.matchAll(/<circle [^>]*r="[\d.]+" fill="(#[0-9a-f]{6})" stroke/g)].map((match) => match[1]);
    expect(fills(renderSvg(carbonMonoxide, { style: 'ball-and-stick', view: 'front', width: 300 }))).toEqual([colourOf('C'), colourOf('O')]);
    // Seen from the side (down the molecule's axis) the carbon is behind the oxygen: drawn first, and paler.
    const [far, near] = fills(renderSvg(carbonMonoxide, { style: 'ball-and-stick', view: 'side', width: 300 }));
    expect(near).toBe(colourOf('O'));
    expect(parseInt(far.slice(1, 3), 16)).toBeGreaterThan(parseInt(colourOf('C').slice(1, 3), 16));
  });

  it('puts front, side and top side by side for view all, in the width asked for', () => {
    const svg = renderSvg(molecule('water.xyz'), { style: 'ball-and-stick', view: 'all', width: 900 });
    expect(svg).toMatch(/^<svg xmlns="http:\/\/www.w3.org\/2000\/svg" width="900" height="\d+" viewBox="0 0 900 \d+"/);
    expect([...svg.matchAll(/<g class="view-(\w+)">/g)].map((match) => match[1])).toEqual(['front', 'side', 'top']);
    expect(count(svg, /<circle /g)).toBe(3 * 2 * 3);
  });

  it('shows a flat molecule face-on from the front and edge-on from the side', () => {
    const xsOf = (svg: string) => [...svg.matchAll(/<circle cx="([\d.]+)"[^>]*fill="(?!#ffffff" fill-opacity)/g)].map((match) => Number(match[1]));
    const widthOf = (xs: number[]) => Math.max(...xs) - Math.min(...xs);
    const caffeine = molecule('caffeine.xyz');
    caffeine.atoms = caffeine.atoms.filter((atom) => atom.element !== 'H');
    const front = xsOf(renderSvg(caffeine, { style: 'cartoon', view: 'front', width: 600 }));
    const side = xsOf(renderSvg(caffeine, { style: 'cartoon', view: 'side', width: 600 }));
    expect(widthOf(side)).toBeLessThan(widthOf(front) / 20);
  });

  it('draws wireframe as bond lines only, with an unbonded atom as a cross', () => {
    const svg = renderSvg(molecule('helix.pdb'), { style: 'wireframe', view: 'front', width: 600 });
    expect(count(svg, /<circle /g)).toBe(0);
    expect(count(svg, /<line /g)).toBe(2 * 39);
    expect(count(svg, /<path d="M[^"]*h[^"]*v/g)).toBe(2);
  });

  it('draws a protein\'s cartoon as a tube through its Cα atoms, coloured along the chain, and leaves water out', () => {
    const svg = renderSvg(molecule('helix.pdb'), { style: 'cartoon', view: 'front', width: 600 });
    // Seven segments between eight Cα atoms, each an outline and a colour.
    expect(count(svg, /<path d="M[^"]*C[^"]*" fill="none"/g)).toBe(2 * 7);
    expect(count(svg, /<circle /g)).toBe(0);
  });

  it('draws a small molecule\'s cartoon as outlined discs and thick bonds', () => {
    const svg = renderSvg(molecule('caffeine.xyz'), { style: 'cartoon', view: 'top', width: 300 });
    expect(count(svg, /<circle /g)).toBe(24);
    expect(count(svg, /<line /g)).toBe(25);
  });

  it('renders the same molecule the same way every time', () => {
    const options = { style: 'ball-and-stick', view: 'all', width: 640 } as const;
    expect(renderSvg(molecule('caffeine.xyz'), options)).toBe(renderSvg(molecule('caffeine.xyz'), options));
  });
});
