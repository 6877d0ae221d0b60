import { stagedNamesOf } from './input-names';

describe('staged input names ("the inputs staged in")', () => {
  it('names each input by its base name, in the job\'s input order', () => {
    expect(stagedNamesOf(['raw/run-1/a.xyz', 'raw/b.pdb'])).toEqual(['a.xyz', 'b.pdb']);
  });

  it('keeps two inputs of the same name from different folders apart', () => {
    expect(stagedNamesOf(['raw/run-1/image.tif', 'raw/run-2/image.tif', 'raw/run-3/image.tif', 'raw/image-2.tif'])).toEqual([
      'image.tif',
      'image-2.tif',
      'image-3.tif',
      'image-2-2.tif',
    ]);
  });

  it('never names a file outside the inputs folder', () => {
    expect(stagedNamesOf(['..', 'raw/.', ''])).toEqual(['input', 'input-2', 'input-3']);
  });
});
