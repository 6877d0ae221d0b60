import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { elementSymbolOf } from './elements';
import { formulaOf, MoleculeFormatError, parseMolecule, parsePdb, parseXyz } from './molecule';

const SAMPLES = join(__dirname, '../../../samples');
const sample = (name: string) => readFileSync(join(SAMPLES, name), 'utf8');

describe('reading molecules ("an XYZ or PDB input")', () => {
  it('reads an XYZ file: the count, the comment as title, an element and three coordinates per atom', () => {
    const water = parseXyz(sample('water.xyz'), 'water');
    expect(water.title).toBe('water, O-H 0.9572 A, H-O-H 104.5 deg');
    expect(water.atoms.map((atom) => [atom.element, ...atom.position])).toEqual([
      ['O', 0, 0, 0],
      ['H', 0.7568, 0.586, 0],
      ['H', -0.7568, 0.586, 0],
    ]);
  });

  it('takes elements as symbols in any case or as atomic numbers', () => {
    expect(parseXyz('3\n\n8 0 0 0\ncl 1 0 0\nNA 2 0 0\n', 'x').atoms.map((atom) => atom.element)).toEqual(['O', 'Cl', 'Na']);
    expect(elementSymbolOf('Xx')).toBeUndefined();
  });

  it('reads a PDB file: ATOM and HETATM records of the first model, residues and chains, the title', () => {
    const helix = parsePdb(sample('helix.pdb'), 'helix');
    expect(helix.title).toBe('OCTA-ALANINE ALPHA HELIX, IDEALIZED (PHI -57, PSI -47)');
    expect(helix.atoms).toHaveLength(42);
    expect(helix.atoms[1]).toMatchObject({ element: 'C', name: 'CA', residue: { name: 'ALA', sequence: 1, chain: 'A' }, hetero: false, position: [1.458, 0, 0] });
    expect(helix.atoms[41]).toMatchObject({ element: 'O', residue: { name: 'HOH', sequence: 102 }, hetero: true });
  });

  it('keeps the first alternate location only, stops at the end of the first model, and reads CONECT bonds', () => {
    const pdb = [
      'MODEL        1',
      'HETATM    1  C1  LIG A   1       0.000   0.000   0.000  1.00  0.00           C',
      'HETATM    2  O1 ALIG A   1       1.200   0.000   0.000  0.50  0.00           O',
      'HETATM    3  O1 BLIG A   1       1.300   0.000   0.000  0.50  0.00           O',
      'CONECT    1    2',
      'ENDMDL',
      'MODEL        2',
      'HETATM    1  C1  LIG A   1       9.000   9.000   9.000  1.00  0.00           C',
    ].join('\n');
    const molecule = parsePdb(pdb, 'ligand');
    expect(molecule.atoms.map((atom) => [atom.element, atom.position[0]])).toEqual([
      ['C', 0],
      ['O', 1.2],
    ]);
    expect(molecule.statedBonds).toEqual([[0, 1]]);
  });

  it('tells the format by the extension, else by the content', () => {
    expect(parseMolecule('caffeine.xyz', sample('caffeine.xyz')).atoms).toHaveLength(24);
    expect(parseMolecule('upload.txt', sample('helix.pdb')).atoms).toHaveLength(42);
    expect(parseMolecule('upload.txt', sample('water.xyz')).atoms).toHaveLength(3);
    expect(() => parseMolecule('notes.txt', 'just words')).toThrow('notes.txt is neither an XYZ nor a PDB file');
  });

  it.each([
    ['no count', 'x\n\nC 0 0 0', 'XYZ line 1 must be the number of atoms'],
    ['too few atom lines', '3\n\nC 0 0 0', 'XYZ file announces 3 atoms but has 1 atom lines'],
    ['a bad element', '1\n\nQq 0 0 0', 'XYZ line 3: "Qq" is not an element'],
    ['a missing coordinate', '1\n\nC 0 0', 'XYZ line 3: an element needs three numeric coordinates'],
  ])('refuses an XYZ file with %s, naming the line', (_case, text, message) => {
    expect(() => parseXyz(text, 'x')).toThrow(new MoleculeFormatError(message));
  });

  it('writes the Hill formula: carbon, hydrogen, then the rest alphabetically', () => {
    expect(formulaOf(parseXyz(sample('caffeine.xyz'), 'c').atoms)).toBe('C8H10N4O2');
    expect(formulaOf(parseXyz(sample('water.xyz'), 'w').atoms)).toBe('H2O');
  });
});
