import { lineDiff } from './line-diff';

const lines = (count: number, prefix = 'line') => Array.from({ length: count }, (_, index) => `${prefix} ${index + 1}`);

describe('line diff: "Every revision is kept and listed: who, when, and a line diff against the previous revision"', () => {
  it('a first revision is all added lines', () => {
    expect(lineDiff('', '## Goal\n\nPhasing')).toEqual({
      added: 3,
      removed: 0,
      hunks: [{ oldStart: 0, oldLines: 0, newStart: 1, newLines: 3, lines: ['+## Goal', '+', '+Phasing'] }],
    });
  });

  it('the same text has no hunks', () => {
    expect(lineDiff('a\nb', 'a\nb')).toEqual({ added: 0, removed: 0, hunks: [] });
  });

  it('a changed line is one removed and one added, with up to three unchanged lines around it', () => {
    const before = lines(10).join('\n');
    const after = lines(10).map((line) => (line === 'line 5' ? 'line five' : line)).join('\n');
    expect(lineDiff(before, after)).toEqual({
      added: 1,
      removed: 1,
      hunks: [
        {
          oldStart: 2,
          oldLines: 7,
          newStart: 2,
          newLines: 7,
          lines: [' line 2', ' line 3', ' line 4', '-line 5', '+line five', ' line 6', ' line 7', ' line 8'],
        },
      ],
    });
  });

  it('changes far apart are separate hunks; close ones share one', () => {
    const before = lines(30);
    const after = [...before];
    after[1] = 'changed 2';
    after[4] = 'changed 5';
    after[25] = 'changed 26';
    const { hunks } = lineDiff(before.join('\n'), after.join('\n'));
    expect(hunks.map((hunk) => [hunk.oldStart, hunk.oldLines])).toEqual([
      [1, 8],
      [23, 7],
    ]);
  });

  it('finds the shortest edit: an inserted paragraph is only added lines', () => {
    const before = ['# Notes', 'a', 'b', 'c', 'd'].join('\n');
    const after = ['# Notes', 'a', 'new 1', 'new 2', 'b', 'c', 'x', 'd'].join('\n');
    const diff = lineDiff(before, after);
    expect(diff).toMatchObject({ added: 3, removed: 0 });
    expect(diff.hunks[0].lines).toEqual([' # Notes', ' a', '+new 1', '+new 2', ' b', ' c', '+x', ' d']);
  });

  it('reads removed and added lines back into the two texts', () => {
    const before = ['keep', 'drop 1', 'keep 2', 'drop 2', 'tail'].join('\n');
    const after = ['start', 'keep', 'keep 2', 'added', 'tail'].join('\n');
    const [hunk] = lineDiff(before, after).hunks;
    const old = hunk.lines.filter((line) => !line.startsWith('+')).map((line) => line.slice(1));
    const now = hunk.lines.filter((line) => !line.startsWith('-')).map((line) => line.slice(1));
    expect(old.join('\n')).toBe(before);
    expect(now.join('\n')).toBe(after);
  });

  it('a complete rewrite of a long text stays a correct diff', () => {
    const diff = lineDiff(lines(3_000, 'old').join('\n'), lines(3_000, 'new').join('\n'));
    expect(diff).toMatchObject({ added: 3_000, removed: 3_000 });
  });
});
