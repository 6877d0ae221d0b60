import { stagedPathsOf } from './input-names';

describe('where the inputs are staged ("inputs in place": inputs/<their project path>)', () => {
  it("keeps each input's project path, in the job's input order", () => {
    expect(stagedPathsOf(['raw/run1/img_0001.cbf', 'raw/b.pdb'])).toEqual(['raw/run1/img_0001.cbf', 'raw/b.pdb']);
  });

  it('equal names in different folders never collide: each keeps its folder', () => {
    expect(stagedPathsOf(['raw/run1/img_0001.cbf', 'raw/run2/img_0001.cbf', 'img_0001.cbf'])).toEqual(['raw/run1/img_0001.cbf', 'raw/run2/img_0001.cbf', 'img_0001.cbf']);
  });

  it('the same path twice, or a file where another input needs a folder, makes the later name unique', () => {
    expect(stagedPathsOf(['raw/a.txt', 'raw/a.txt'])).toEqual(['raw/a.txt', 'raw/a-2.txt']);
    expect(stagedPathsOf(['raw/run', 'raw/run/x.cbf'])).toEqual(['raw/run', 'x.cbf']);
    expect(stagedPathsOf(['raw/run/x.cbf', 'raw/run'])).toEqual(['raw/run/x.cbf', 'raw/run-2']);
  });

  it('never places a file outside the inputs folder', () => {
    expect(stagedPathsOf(['..', 'raw/.', '', '../../etc/passwd', '/abs/x'])).toEqual(['input', 'raw', 'input-2', 'etc/passwd', 'abs/x']);
  });
});
