/** Element symbols by atomic number (index 0 is unused), as far as an XYZ file is likely to number them. */
const SYMBOLS_BY_NUMBER = [
  '', 'H', 'He', 'Li', 'Be', 'B', 'C', 'N', 'O', 'F', 'Ne', 'Na', 'Mg', 'Al', 'Si', 'P', 'S', 'Cl', 'Ar', 'K', 'Ca',
  'Sc', 'Ti', 'V', 'Cr', 'Mn', 'Fe', 'Co', 'Ni', 'Cu', 'Zn', 'Ga', 'Ge', 'As', 'Se', 'Br', 'Kr', 'Rb', 'Sr', 'Y', 'Zr',
  'Nb', 'Mo', 'Tc', 'Ru', 'Rh', 'Pd', 'Ag', 'Cd', 'In', 'Sn', 'Sb', 'Te', 'I', 'Xe',
];
const KNOWN_SYMBOLS = new Set(SYMBOLS_BY_NUMBER.slice(1));

/** Jmol's CPK colours, the ones chemists recognise. */
const COLOURS: Record<string, string> = {
  H: '#ffffff', He: '#d9ffff', Li: '#cc80ff', B: '#ffb5b5', C: '#909090', N: '#3050f8', O: '#ff0d0d', F: '#90e050',
  Ne: '#b3e3f5', Na: '#ab5cf2', Mg: '#8aff00', Al: '#bfa6a6', Si: '#f0c8a0', P: '#ff8000', S: '#ffff30', Cl: '#1ff01f',
  Ar: '#80d1e3', K: '#8f40d4', Ca: '#3dff00', Ti: '#bfc2c7', Cr: '#8a99c7', Mn: '#9c7ac7', Fe: '#e06633', Co: '#f090a0',
  Ni: '#50d050', Cu: '#c88033', Zn: '#7d80b0', Se: '#ffa100', Br: '#a62929', I: '#940094',
};
const UNKNOWN_COLOUR = '#ff1493';

/** Covalent radii in ångström (Cordero et al. 2008): two atoms closer than the sum (plus a tolerance) are bonded. */
const COVALENT_RADII: Record<string, number> = {
  H: 0.31, He: 0.28, Li: 1.28, Be: 0.96, B: 0.84, C: 0.76, N: 0.71, O: 0.66, F: 0.57, Ne: 0.58, Na: 1.66, Mg: 1.41,
  Al: 1.21, Si: 1.11, P: 1.07, S: 1.05, Cl: 1.02, Ar: 1.06, K: 2.03, Ca: 1.76, Ti: 1.6, Cr: 1.39, Mn: 1.39, Fe: 1.32,
  Co: 1.26, Ni: 1.24, Cu: 1.32, Zn: 1.22, Se: 1.2, Br: 1.2, I: 1.39,
};
const DEFAULT_COVALENT_RADIUS = 1.5;

/** `C`, `cl`, `CL`, `6` → `C`, `Cl`, `Cl`, `C`; undefined when it names no element. */
export function elementSymbolOf(raw: string): string | undefined {
  const text = raw.trim();
  if (/^\d+$/.test(text)) return SYMBOLS_BY_NUMBER[Number(text)] || undefined;
  if (!/^[A-Za-z]{1,2}$/.test(text)) return undefined;
  const symbol = text[0].toUpperCase() + text.slice(1).toLowerCase();
  return KNOWN_SYMBOLS.has(symbol) ? symbol : undefined;
}

export const colourOf = (element: string): string => COLOURS[element] ?? UNKNOWN_COLOUR;
export const covalentRadiusOf = (element: string): number => COVALENT_RADII[element] ?? DEFAULT_COVALENT_RADIUS;
