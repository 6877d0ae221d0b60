import { ALL_MACHINES, expandCommand, unknownPlaceholdersOf, workConsumerOf, workSubjectOf } from './runner-protocol';

describe('runner protocol', () => {
  const values = { inputs: ['/w/inputs/a.xyz', '/w/inputs/b.pdb'], outputDir: '/w/out', workDir: '/w', parameters: { style: 'cartoon', width: 640, note: '$(rm -rf /) "quoted"\nline' } };

  it('expands {{inputs}} into one argument per staged input, in order', () => {
    expect(expandCommand(['render', '{{inputs}}', '--out', '{{outputDir}}'], values)).toEqual(['render', '/w/inputs/a.xyz', '/w/inputs/b.pdb', '--out', '/w/out']);
  });

  it('puts parameters in as literal strings, never interpreted (numbers JSON-encoded, missing ones empty)', () => {
    expect(expandCommand(['--style={{parameters.style}}', '{{parameters.width}}', '{{parameters.note}}', '{{parameters.absent}}'], values)).toEqual([
      '--style=cartoon',
      '640',
      '$(rm -rf /) "quoted"\nline',
      '',
    ]);
  });

  it('names placeholders it does not know, and {{inputs}} that is not a whole element', () => {
    expect(unknownPlaceholdersOf(['x', '{{inputs}}', '{{workDir}}/a', '{{parameters.ok}}'])).toEqual([]);
    expect(unknownPlaceholdersOf(['{{secret}}', '--in={{inputs}}', '{{parameters.bad-name}}'])).toEqual([
      '{{secret}}',
      '{{inputs}} inside "--in={{inputs}}"',
      '{{parameters.bad-name}}',
    ]);
  });

  it('has one work queue and one shared consumer per machine type', () => {
    expect(ALL_MACHINES.map(workSubjectOf)).toEqual([
      'cairn.work.jobs.cpu.standard',
      'cairn.work.jobs.cpu.turbo',
      'cairn.work.jobs.gpu.standard',
      'cairn.work.jobs.gpu.turbo',
    ]);
    expect(workConsumerOf({ type: 'gpu', performance: 'turbo' })).toBe('cairn-runners-gpu-turbo');
  });
});
