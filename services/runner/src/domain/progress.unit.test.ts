import { progressLine, progressOf } from './progress';

describe('progress lines ("reports ... progress")', () => {
  it('reads a fraction and an optional message from a ##cairn-progress line', () => {
    expect(progressOf('##cairn-progress 0.25 integrating frame 250 of 1000')).toEqual({ fraction: 0.25, message: 'integrating frame 250 of 1000' });
    expect(progressOf('##cairn-progress 1')).toEqual({ fraction: 1 });
    expect(progressOf('##cairn-progress .5\r')).toEqual({ fraction: 0.5 });
  });

  it('holds the fraction to 0..1', () => {
    expect(progressOf('##cairn-progress 7 done')).toEqual({ fraction: 1, message: 'done' });
  });

  it('ignores every other line, a progress line inside another one too', () => {
    for (const line of ['progress 0.5', 'echo ##cairn-progress 0.5', '##cairn-progress half', '##cairn-progress']) expect(progressOf(line)).toBeUndefined();
  });

  it('is what progressLine prints', () => {
    expect(progressOf(progressLine(2 / 3, '2 of 3 files read'))).toEqual({ fraction: 0.6667, message: '2 of 3 files read' });
  });
});
