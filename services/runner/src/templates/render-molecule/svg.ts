import { colourOf, covalentRadiusOf } from './elements';
import { inkOf, mix, outlineOf, rainbow } from './colours';
import { bondsByDistance, distance, principalOrientation, PROJECTIONS, VIEW_NAMES, type Vec3, type ViewName } from './geometry';
import { formulaOf, type Atom, type Molecule } from './molecule';

export const STYLES = ['ball-and-stick', 'cartoon', 'wireframe'] as const;
export type Style = (typeof STYLES)[number];
export const VIEWS = [...VIEW_NAMES, 'all'] as const;
export type View = (typeof VIEWS)[number];

export interface RenderOptions {
  style: Style;
  view: View;
  /** Of the whole image in pixels; `all` puts its three views side by side in that width. */
  width: number;
}

/** Sizes in ångström, turned into pixels by the panel's scale. */
const BALL_RADIUS = (element: string) => 0.2 + 0.35 * covalentRadiusOf(element);
const TOON_RADIUS = (element: string) => 0.3 + 0.4 * covalentRadiusOf(element);
const STICK_WIDTH = 0.16;
const TOON_BOND_WIDTH = 0.32;
const WIRE_WIDTH = 0.07;
const TUBE_WIDTH = 1.1;
/** Consecutive Cα atoms farther apart than this are a chain break, not a peptide bond (3.8 Å). */
const MAX_CA_STEP = 4.2;
const FOG = 0.45;
const WATER = new Set(['HOH', 'WAT', 'H2O', 'DOD']);

interface Drawable {
  depth: number;
  order: number;
  svg: string;
}

interface Panel {
  left: number;
  top: number;
  size: number;
  scale: number;
  project(point: Vec3): { x: number; y: number; depth: number };
  fog(depth: number): number;
}

const px = (value: number) => (Math.round(value * 10) / 10).toString();
const escapeXml = (text: string) => text.replace(/[<>&"']/g, (c) => `&#${c.charCodeAt(0)};`);

/**
 * An SVG picture of the molecule: an orthographic projection of its atoms onto the chosen view (after
 * turning it onto its principal axes), bonds found by distance (and the file's CONECT records), atoms in
 * their CPK colours, far parts drawn first and faded towards the background so depth reads.
 */
export function renderSvg(molecule: Molecule, options: RenderOptions): string {
  if (molecule.atoms.length === 0) throw new Error('the molecule has no atoms');
  const oriented = principalOrientation(molecule.atoms.map((atom) => atom.position));
  const atoms = molecule.atoms.map((atom, index) => ({ ...atom, position: oriented[index] }));
  const bonds = uniqueBonds([...molecule.statedBonds, ...bondsByDistance(atoms)]);
  const views: ViewName[] = options.view === 'all' ? [...VIEW_NAMES] : [options.view];

  const width = options.width;
  const size = width / views.length;
  const header = Math.round(Math.min(48, Math.max(18, size * 0.08)));
  const height = Math.round(size + header);
  const extent = Math.max(1, ...atoms.map((atom) => Math.hypot(...atom.position) + TOON_RADIUS(atom.element)));
  const scale = (size / 2 - size * 0.05) / extent;
  const title = `${molecule.title} · ${formulaOf(molecule.atoms)} · ${atoms.length} atoms · ${options.style}`;

  const body: string[] = [];
  views.forEach((view, index) => {
    const panel = panelOf(view, index * size, header, size, scale, atoms);
    body.push(`<g class="view-${view}">`);
    body.push(`<rect x="${px(panel.left + 0.5)}" y="${px(header + 0.5)}" width="${px(size - 1)}" height="${px(size - 1)}" fill="none" stroke="#e0e0e0"/>`);
    for (const drawable of drawablesOf(options.style, atoms, bonds, panel).sort((a, b) => a.depth - b.depth || a.order - b.order)) body.push(drawable.svg);
    body.push(
      `<text x="${px(panel.left + 8)}" y="${px(header + size - 8)}" font-family="sans-serif" font-size="${px(header * 0.55)}" fill="#555">${view}</text>`,
      '</g>',
    );
  });
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${px(width)}" height="${height}" viewBox="0 0 ${px(width)} ${height}" role="img" aria-label="${escapeXml(title)}">`,
    `<title>${escapeXml(title)}</title>`,
    `<rect width="100%" height="100%" fill="#ffffff"/>`,
    `<text x="8" y="${px(header * 0.7)}" font-family="sans-serif" font-size="${px(header * 0.5)}" fill="#222">${escapeXml(title)}</text>`,
    ...body,
    '</svg>',
    '',
  ].join('\n');
}

function uniqueBonds(bonds: [number, number][]): [number, number][] {
  const seen = new Set<string>();
  return bonds
    .map(([a, b]) => (a < b ? [a, b] : [b, a]) as [number, number])
    .filter(([a, b]) => {
      const key = `${a}-${b}`;
      if (seen.has(key)) return false;
      seen.add(key);
      return true;
    });
}

function panelOf(view: ViewName, left: number, top: number, size: number, scale: number, atoms: readonly Atom[]): Panel {
  const projection = PROJECTIONS[view];
  const depths = atoms.map((atom) => projection(atom.position)[2]);
  const nearest = Math.max(...depths);
  const range = nearest - Math.min(...depths) || 1;
  return {
    left,
    top,
    size,
    scale,
    project(point) {
      const [u, v, depth] = projection(point);
      return { x: left + size / 2 + u * scale, y: top + size / 2 - v * scale, depth };
    },
    fog: (depth) => (FOG * (nearest - depth)) / range,
  };
}

function drawablesOf(style: Style, atoms: readonly Atom[], bonds: [number, number][], panel: Panel): Drawable[] {
  if (style === 'wireframe') return wireframe(atoms, bonds, panel);
  if (style === 'ball-and-stick') return ballAndStick(atoms, bonds, panel, 1);
  const backbone = backboneTraces(atoms);
  if (backbone.length === 0) return toon(atoms, bonds, panel);
  // A protein's cartoon: its backbone as a tube, ligands in ball-and-stick, water left out.
  const ligand = new Set(atoms.flatMap((atom, index) => (atom.hetero && !WATER.has(atom.residue?.name ?? '') ? [index] : [])));
  const ligandBonds = bonds.filter(([a, b]) => ligand.has(a) && ligand.has(b));
  return [...tubes(backbone, panel), ...ballAndStick(atoms, ligandBonds, panel, 0.8, ligand)];
}

/** A bond as two halves, each in the colour of the atom it leaves. */
function halfBonds(atoms: readonly Atom[], [a, b]: [number, number], panel: Panel, width: number, colour: (atom: Atom) => string, order: number): Drawable {
  const from = panel.project(atoms[a].position);
  const to = panel.project(atoms[b].position);
  const middle = { x: (from.x + to.x) / 2, y: (from.y + to.y) / 2 };
  const depth = (from.depth + to.depth) / 2;
  const fog = panel.fog(depth);
  const line = (start: { x: number; y: number }, atom: Atom) =>
    `<line x1="${px(start.x)}" y1="${px(start.y)}" x2="${px(middle.x)}" y2="${px(middle.y)}" stroke="${mix(colour(atom), '#ffffff', fog)}" stroke-width="${px(width)}" stroke-linecap="round"/>`;
  return { depth, order, svg: line(from, atoms[a]) + line(to, atoms[b]) };
}

function wireframe(atoms: readonly Atom[], bonds: [number, number][], panel: Panel): Drawable[] {
  const width = Math.max(1.2, WIRE_WIDTH * panel.scale);
  const bonded = new Set(bonds.flat());
  const drawables = bonds.map((bond, order) => halfBonds(atoms, bond, panel, width, (atom) => inkOf(colourOf(atom.element)), order));
  atoms.forEach((atom, index) => {
    if (bonded.has(index)) return;
    const { x, y, depth } = panel.project(atom.position);
    const arm = Math.max(2, 0.25 * panel.scale);
    const ink = mix(inkOf(colourOf(atom.element)), '#ffffff', panel.fog(depth));
    drawables.push({
      depth,
      order: bonds.length + index,
      svg: `<path d="M${px(x - arm)} ${px(y)}h${px(2 * arm)}M${px(x)} ${px(y - arm)}v${px(2 * arm)}" stroke="${ink}" stroke-width="${px(width)}"/>`,
    });
  });
  return drawables;
}

function ballAndStick(atoms: readonly Atom[], bonds: [number, number][], panel: Panel, size: number, only?: Set<number>): Drawable[] {
  const stickWidth = Math.max(1, STICK_WIDTH * size * panel.scale);
  const drawables = bonds.map((bond, order) => halfBonds(atoms, bond, panel, stickWidth, (atom) => colourOf(atom.element), order));
  atoms.forEach((atom, index) => {
    if (only && !only.has(index)) return;
    const { x, y, depth } = panel.project(atom.position);
    const radius = Math.max(1.5, BALL_RADIUS(atom.element) * size * panel.scale);
    const fill = mix(colourOf(atom.element), '#ffffff', panel.fog(depth));
    drawables.push({
      depth,
      order: bonds.length + index,
      svg:
        `<circle cx="${px(x)}" cy="${px(y)}" r="${px(radius)}" fill="${fill}" stroke="${outlineOf(fill)}" stroke-width="${px(Math.max(0.5, radius * 0.08))}"/>` +
        `<circle cx="${px(x - radius * 0.35)}" cy="${px(y - radius * 0.35)}" r="${px(radius * 0.3)}" fill="#ffffff" fill-opacity="0.55"/>`,
    });
  });
  return drawables;
}

/** A small molecule's cartoon: flat discs and thick bonds with bold outlines, as a textbook draws it. */
function toon(atoms: readonly Atom[], bonds: [number, number][], panel: Panel): Drawable[] {
  const bondWidth = Math.max(2, TOON_BOND_WIDTH * panel.scale);
  const outline = Math.max(1, 0.06 * panel.scale);
  const drawables: Drawable[] = bonds.map((bond, order) => {
    const [from, to] = bond.map((index) => panel.project(atoms[index].position));
    const depth = (from.depth + to.depth) / 2;
    const ink = mix('#333333', '#ffffff', panel.fog(depth));
    return {
      depth,
      order,
      svg: `<line x1="${px(from.x)}" y1="${px(from.y)}" x2="${px(to.x)}" y2="${px(to.y)}" stroke="${ink}" stroke-width="${px(bondWidth)}" stroke-linecap="round"/>`,
    };
  });
  atoms.forEach((atom, index) => {
    const { x, y, depth } = panel.project(atom.position);
    const fill = mix(colourOf(atom.element), '#ffffff', panel.fog(depth));
    drawables.push({
      depth,
      order: bonds.length + index,
      svg: `<circle cx="${px(x)}" cy="${px(y)}" r="${px(Math.max(2, TOON_RADIUS(atom.element) * panel.scale))}" fill="${fill}" stroke="${mix('#111111', '#ffffff', panel.fog(depth))}" stroke-width="${px(outline)}"/>`,
    });
  });
  return drawables;
}

/** The Cα atoms of each chain, split where the chain breaks. */
function backboneTraces(atoms: readonly Atom[]): Vec3[][] {
  const byChain = new Map<string, Vec3[]>();
  for (const atom of atoms) {
    if (atom.hetero || atom.name !== 'CA' || atom.element !== 'C' || !atom.residue) continue;
    const chain = byChain.get(atom.residue.chain) ?? [];
    chain.push(atom.position);
    byChain.set(atom.residue.chain, chain);
  }
  const traces: Vec3[][] = [];
  for (const positions of byChain.values()) {
    let trace: Vec3[] = [];
    for (const position of positions) {
      if (trace.length > 0 && distance(trace[trace.length - 1], position) > MAX_CA_STEP) {
        traces.push(trace);
        trace = [];
      }
      trace.push(position);
    }
    traces.push(trace);
  }
  return traces.filter((trace) => trace.length >= 2);
}

/**
 * Each trace as a smooth tube through its Cα atoms (Catmull-Rom segments as cubic Béziers: the
 * projection is linear, so projecting the control points is exact), coloured blue to red along it.
 */
function tubes(traces: Vec3[][], panel: Panel): Drawable[] {
  const width = Math.max(2, TUBE_WIDTH * panel.scale);
  const drawables: Drawable[] = [];
  let order = 0;
  for (const trace of traces) {
    for (let i = 0; i + 1 < trace.length; i += 1) {
      const before = trace[Math.max(0, i - 1)];
      const after = trace[Math.min(trace.length - 1, i + 2)];
      const [p0, p1] = [trace[i], trace[i + 1]];
      const c1 = p0.map((value, axis) => value + (p1[axis] - before[axis]) / 6) as unknown as Vec3;
      const c2 = p1.map((value, axis) => value - (after[axis] - p0[axis]) / 6) as unknown as Vec3;
      const [a, b, c, d] = [p0, c1, c2, p1].map((point) => panel.project(point));
      const depth = (a.depth + d.depth) / 2;
      const fog = panel.fog(depth);
      const colour = mix(rainbow(i / Math.max(1, trace.length - 2)), '#ffffff', fog);
      const path = `M${px(a.x)} ${px(a.y)}C${px(b.x)} ${px(b.y)} ${px(c.x)} ${px(c.y)} ${px(d.x)} ${px(d.y)}`;
      drawables.push({
        depth,
        order: order++,
        svg:
          `<path d="${path}" fill="none" stroke="${outlineOf(colour)}" stroke-width="${px(width * 1.3)}" stroke-linecap="round"/>` +
          `<path d="${path}" fill="none" stroke="${colour}" stroke-width="${px(width)}" stroke-linecap="round"/>`,
      });
    }
  }
  return drawables;
}
