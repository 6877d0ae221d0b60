import { extname } from 'node:path';
import { elementSymbolOf } from './elements';
import type { Vec3 } from './geometry';

export interface Atom {
  element: string;
  position: Vec3;
  /** PDB only: the atom's name (`CA`...), its residue and chain, and whether it is a HETATM record. */
  name?: string;
  residue?: { name: string; sequence: number; chain: string };
  hetero?: boolean;
}

export interface Molecule {
  title: string;
  atoms: Atom[];
  /** Bonds the file states (PDB CONECT records), as atom index pairs; more are found by distance. */
  statedBonds: [number, number][];
}

export class MoleculeFormatError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'MoleculeFormatError';
  }
}

/**
 * XYZ: an atom count, a comment line, then `<element> <x> <y> <z>` per atom (the first frame of a
 * multi-frame file). The element may be a symbol or an atomic number.
 */
export function parseXyz(text: string, fallbackTitle: string): Molecule {
  const lines = text.split(/\r?\n/);
  const count = Number(lines[0]?.trim());
  if (!Number.isInteger(count) || count < 1) throw new MoleculeFormatError('XYZ line 1 must be the number of atoms');
  if (lines.length < count + 2) throw new MoleculeFormatError(`XYZ file announces ${count} atoms but has ${Math.max(0, lines.length - 2)} atom lines`);
  const atoms: Atom[] = [];
  for (let index = 0; index < count; index += 1) {
    const lineNumber = index + 3;
    const [symbol, ...coordinates] = lines[index + 2].trim().split(/\s+/);
    const element = elementSymbolOf(symbol ?? '');
    if (!element) throw new MoleculeFormatError(`XYZ line ${lineNumber}: "${symbol}" is not an element`);
    const position = coordinates.slice(0, 3).map(Number);
    if (position.length < 3 || position.some((value) => !Number.isFinite(value))) {
      throw new MoleculeFormatError(`XYZ line ${lineNumber}: an element needs three numeric coordinates`);
    }
    atoms.push({ element, position: position as unknown as Vec3 });
  }
  return { title: lines[1]?.trim() || fallbackTitle, atoms, statedBonds: [] };
}

/**
 * PDB: ATOM and HETATM records of the first model (the first alternate location of each atom), the
 * title from HEADER/TITLE/COMPND, and CONECT bonds.
 */
export function parsePdb(text: string, fallbackTitle: string): Molecule {
  const atoms: Atom[] = [];
  const indexBySerial = new Map<number, number>();
  const statedBonds: [number, number][] = [];
  const titleParts: string[] = [];
  let header = '';
  for (const [lineIndex, line] of text.split(/\r?\n/).entries()) {
    const record = line.slice(0, 6).trim();
    if (record === 'ENDMDL') break;
    if (record === 'HEADER') header = line.slice(10, 50).trim();
    else if (record === 'TITLE' || record === 'COMPND') titleParts.push(line.slice(10).trim());
    else if (record === 'ATOM' || record === 'HETATM') {
      const altLocation = line[16] ?? ' ';
      if (altLocation !== ' ' && altLocation !== 'A') continue;
      const position = [line.slice(30, 38), line.slice(38, 46), line.slice(46, 54)].map(Number);
      if (position.some((value) => !Number.isFinite(value)) || line.slice(30, 54).trim() === '') {
        throw new MoleculeFormatError(`PDB line ${lineIndex + 1}: coordinates must be numbers in columns 31-54`);
      }
      const name = line.slice(12, 16).trim();
      const element = elementSymbolOf(line.slice(76, 78)) ?? elementSymbolOf(name.replace(/[^A-Za-z]/g, '').slice(0, 1));
      if (!element) throw new MoleculeFormatError(`PDB line ${lineIndex + 1}: no element in columns 77-78 or in the atom name`);
      indexBySerial.set(Number(line.slice(6, 11)), atoms.length);
      atoms.push({
        element,
        position: position as unknown as Vec3,
        name,
        residue: { name: line.slice(17, 20).trim(), sequence: Number(line.slice(22, 26)) || 0, chain: line[21]?.trim() || 'A' },
        hetero: record === 'HETATM',
      });
    } else if (record === 'CONECT') {
      const serials = [6, 11, 16, 21, 26].map((start) => Number(line.slice(start, start + 5))).filter((serial) => serial > 0);
      const [from, ...to] = serials.map((serial) => indexBySerial.get(serial));
      for (const partner of to) if (from !== undefined && partner !== undefined && from < partner) statedBonds.push([from, partner]);
    }
  }
  if (atoms.length === 0) throw new MoleculeFormatError('the PDB file has no ATOM or HETATM records');
  const title = titleParts.join(' ').replace(/\s+/g, ' ').trim() || header || fallbackTitle;
  return { title, atoms, statedBonds };
}

/** By the file's extension, or for another name by its content. */
export function parseMolecule(fileName: string, text: string): Molecule {
  const extension = extname(fileName).toLowerCase();
  const title = fileName.replace(/\.[^.]*$/, '');
  if (extension === '.xyz') return parseXyz(text, title);
  if (extension === '.pdb' || extension === '.ent') return parsePdb(text, title);
  if (/^\s*\d+\s*$/m.test(text.split(/\r?\n/, 1)[0] ?? '')) return parseXyz(text, title);
  if (/^(ATOM {2}|HETATM)/m.test(text)) return parsePdb(text, title);
  throw new MoleculeFormatError(`${fileName} is neither an XYZ nor a PDB file`);
}

/** The Hill formula: C, then H, then the other elements alphabetically (all alphabetically without carbon). */
export function formulaOf(atoms: readonly Atom[]): string {
  const counts = new Map<string, number>();
  for (const atom of atoms) counts.set(atom.element, (counts.get(atom.element) ?? 0) + 1);
  const hasCarbon = counts.has('C');
  const order = [...counts.keys()].sort((a, b) => {
    const rank = (element: string) => (hasCarbon && element === 'C' ? 0 : hasCarbon && element === 'H' ? 1 : 2);
    return rank(a) - rank(b) || a.localeCompare(b);
  });
  return order.map((element) => `${element}${counts.get(element) === 1 ? '' : counts.get(element)}`).join('');
}
