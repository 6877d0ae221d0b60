import { covalentRadiusOf } from './elements';

export type Vec3 = readonly [number, number, number];

const subtract = (a: Vec3, b: Vec3): Vec3 => [a[0] - b[0], a[1] - b[1], a[2] - b[2]];
const dot = (a: Vec3, b: Vec3): number => a[0] * b[0] + a[1] * b[1] + a[2] * b[2];
const cross = (a: Vec3, b: Vec3): Vec3 => [a[1] * b[2] - a[2] * b[1], a[2] * b[0] - a[0] * b[2], a[0] * b[1] - a[1] * b[0]];
export const distance = (a: Vec3, b: Vec3): number => Math.hypot(...subtract(a, b));

/** Extra room past the sum of two covalent radii that still counts as a bond (OpenBabel and Jmol use about this). */
const BOND_TOLERANCE = 0.45;
/** Closer than this, two atoms are one atom listed twice (or a broken file), not a bond. */
const MIN_BOND_LENGTH = 0.4;

/**
 * Bonds between atoms closer than their covalent radii allow, found through a grid of cells as large as
 * the longest possible bond, so a protein of thousands of atoms costs a neighbourhood look-up per atom.
 */
export function bondsByDistance(atoms: readonly { element: string; position: Vec3 }[]): [number, number][] {
  const radii = atoms.map((atom) => covalentRadiusOf(atom.element));
  const cellSize = 2 * Math.max(0, ...radii) + BOND_TOLERANCE;
  const cellOf = (position: Vec3) => position.map((value) => Math.floor(value / cellSize));
  const cells = new Map<string, number[]>();
  atoms.forEach((atom, index) => {
    const key = cellOf(atom.position).join(',');
    const members = cells.get(key);
    if (members) members.push(index);
    else cells.set(key, [index]);
  });
  const bonds: [number, number][] = [];
  atoms.forEach((atom, index) => {
    const [cx, cy, cz] = cellOf(atom.position);
    for (let dx = -1; dx <= 1; dx += 1)
      for (let dy = -1; dy <= 1; dy += 1)
        for (let dz = -1; dz <= 1; dz += 1) {
          for (const other of cells.get(`${cx + dx},${cy + dy},${cz + dz}`) ?? []) {
            if (other <= index) continue;
            const length = distance(atom.position, atoms[other].position);
            if (length >= MIN_BOND_LENGTH && length <= radii[index] + radii[other] + BOND_TOLERANCE) bonds.push([index, other]);
          }
        }
  });
  return bonds.sort((a, b) => a[0] - b[0] || a[1] - b[1]);
}

/** Eigenvalues and unit eigenvectors of a symmetric 3×3 matrix (Jacobi rotations), largest first. */
export function symmetricEigen(matrix: number[][]): { values: number[]; vectors: Vec3[] } {
  const a = matrix.map((row) => [...row]);
  const v = [
    [1, 0, 0],
    [0, 1, 0],
    [0, 0, 1],
  ];
  for (let sweep = 0; sweep < 50; sweep += 1) {
    const offDiagonal = Math.abs(a[0][1]) + Math.abs(a[0][2]) + Math.abs(a[1][2]);
    if (offDiagonal < 1e-12) break;
    for (const [p, q] of [
      [0, 1],
      [0, 2],
      [1, 2],
    ]) {
      if (Math.abs(a[p][q]) < 1e-15) continue;
      const theta = (a[q][q] - a[p][p]) / (2 * a[p][q]);
      const t = Math.sign(theta || 1) / (Math.abs(theta) + Math.sqrt(theta * theta + 1));
      const c = 1 / Math.sqrt(t * t + 1);
      const s = t * c;
      for (let k = 0; k < 3; k += 1) {
        const akp = a[k][p];
        const akq = a[k][q];
        a[k][p] = c * akp - s * akq;
        a[k][q] = s * akp + c * akq;
      }
      for (let k = 0; k < 3; k += 1) {
        const apk = a[p][k];
        const aqk = a[q][k];
        a[p][k] = c * apk - s * aqk;
        a[q][k] = s * apk + c * aqk;
      }
      for (let k = 0; k < 3; k += 1) {
        const vkp = v[k][p];
        const vkq = v[k][q];
        v[k][p] = c * vkp - s * vkq;
        v[k][q] = s * vkp + c * vkq;
      }
    }
  }
  const order = [0, 1, 2].sort((i, j) => a[j][j] - a[i][i]);
  return { values: order.map((i) => a[i][i]), vectors: order.map((i) => [v[0][i], v[1][i], v[2][i]] as Vec3) };
}

/**
 * The molecule turned onto its principal axes, centred: its longest extent along x, the next along y,
 * the thinnest along z. So `front` (looking down z) shows its broadest face whatever frame the file used,
 * and `side` and `top` look along the other two axes. Signs are fixed so the same molecule always
 * renders the same way.
 */
export function principalOrientation(points: readonly Vec3[]): Vec3[] {
  const centre: Vec3 = [0, 1, 2].map((axis) => points.reduce((sum, point) => sum + point[axis], 0) / points.length) as unknown as Vec3;
  const centred = points.map((point) => subtract(point, centre));
  const covariance = [0, 1, 2].map((i) => [0, 1, 2].map((j) => centred.reduce((sum, point) => sum + point[i] * point[j], 0)));
  const [first, second] = symmetricEigen(covariance).vectors.map((vector) => {
    const largest = vector.reduce((best, value) => (Math.abs(value) > Math.abs(best) ? value : best), 0);
    return (largest < 0 ? vector.map((value) => -value) : vector) as unknown as Vec3;
  });
  const third = cross(first, second);
  return centred.map((point) => [dot(point, first), dot(point, second), dot(point, third)] as Vec3);
}

export const VIEW_NAMES = ['front', 'side', 'top'] as const;
export type ViewName = (typeof VIEW_NAMES)[number];

/**
 * Screen coordinates (right, up) and depth (towards the viewer) of a point seen from the front (+z),
 * the side (+x) or the top (+y), each with y or z as the screen's up so the views line up like a drawing's.
 */
export const PROJECTIONS: Record<ViewName, (point: Vec3) => Vec3> = {
  front: ([x, y, z]) => [x, y, z],
  side: ([x, y, z]) => [-z, y, x],
  top: ([x, y, z]) => [x, -z, y],
};
