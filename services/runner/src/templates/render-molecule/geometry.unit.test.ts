import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { bondsByDistance, principalOrientation, PROJECTIONS, symmetricEigen, type Vec3 } from './geometry';
import { parsePdb, parseXyz } from './molecule';

const SAMPLES = join(__dirname, '../../../samples');

describe('molecular geometry ("bonds by distance", "projection of atoms")', () => {
  it('bonds atoms closer than their covalent radii allow: water has two O-H bonds and no H-H bond', () => {
    expect(bondsByDistance(parseXyz(readFileSync(join(SAMPLES, 'water.xyz'), 'utf8'), 'w').atoms)).toEqual([
      [0, 1],
      [0, 2],
    ]);
  });

  it('finds the 25 bonds of caffeine: ten in the rings, two C=O, three N-CH3, ten C-H', () => {
    const atoms = parseXyz(readFileSync(join(SAMPLES, 'caffeine.xyz'), 'utf8'), 'c').atoms;
    const bonds = bondsByDistance(atoms);
    expect(bonds).toHaveLength(25);
    const kinds = bonds.map(([a, b]) => [atoms[a].element, atoms[b].element].sort().join('-'));
    expect(kinds.filter((kind) => kind === 'C-H')).toHaveLength(10);
    expect(kinds.filter((kind) => kind === 'C-O')).toHaveLength(2);
  });

  it('finds the 39 bonds of the octa-alanine backbone (four per residue, seven peptide bonds) and none to the waters', () => {
    const atoms = parsePdb(readFileSync(join(SAMPLES, 'helix.pdb'), 'utf8'), 'h').atoms;
    const bonds = bondsByDistance(atoms);
    expect(bonds).toHaveLength(39);
    expect(bonds.flat().some((index) => atoms[index].hetero)).toBe(false);
  });

  it('diagonalises a symmetric matrix, largest eigenvalue first', () => {
    const { values, vectors } = symmetricEigen([
      [2, 1, 0],
      [1, 2, 0],
      [0, 0, 5],
    ]);
    expect(values.map((value) => Number(value.toFixed(6)))).toEqual([5, 3, 1]);
    expect(Math.abs(vectors[0][2])).toBeCloseTo(1);
    expect(Math.abs(vectors[1][0])).toBeCloseTo(Math.SQRT1_2);
  });

  it('turns a molecule onto its principal axes: centred, longest along x, thinnest along z, distances kept', () => {
    // A flat 4 × 2 rectangle standing in the y-z plane, off the origin.
    const points: Vec3[] = [
      [5, 0, 0],
      [5, 0, 4],
      [5, 2, 0],
      [5, 2, 4],
    ];
    const oriented = principalOrientation(points);
    const spread = (axis: number) => Math.max(...oriented.map((point) => point[axis])) - Math.min(...oriented.map((point) => point[axis]));
    expect(spread(0)).toBeCloseTo(4);
    expect(spread(1)).toBeCloseTo(2);
    expect(spread(2)).toBeCloseTo(0);
    expect(oriented.reduce((sum, point) => sum + point[0] + point[1] + point[2], 0)).toBeCloseTo(0);
    expect(Math.hypot(...oriented[0].map((value, axis) => value - oriented[3][axis]))).toBeCloseTo(Math.hypot(2, 4));
  });

  it('projects for the front (down z), the side (down x) and the top (down y), depth towards the viewer', () => {
    const point: Vec3 = [1, 2, 3];
    expect(PROJECTIONS.front(point)).toEqual([1, 2, 3]);
    expect(PROJECTIONS.side(point)).toEqual([-3, 2, 1]);
    expect(PROJECTIONS.top(point)).toEqual([1, -3, 2]);
  });
});
