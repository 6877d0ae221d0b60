import { ALL_MACHINES } from '@cairn/contracts';
import { parseQueues } from './queues';

describe('--queues ("by default it serves every machine-type queue; a runner started with --queues serves the ones named")', () => {
  it('serves every queue when none is named', () => {
    expect(parseQueues(undefined)).toEqual(ALL_MACHINES);
    expect(parseQueues(' ')).toEqual(ALL_MACHINES);
  });

  it('serves only the queues named, each once', () => {
    expect(parseQueues('cpu/standard, gpu/turbo,cpu/standard')).toEqual([
      { type: 'cpu', performance: 'standard' },
      { type: 'gpu', performance: 'turbo' },
    ]);
  });

  it('refuses a queue that does not exist, naming the ones that do', () => {
    expect(() => parseQueues('gpu/quantum')).toThrow('--queues: "gpu/quantum" is no machine queue; use cpu/standard, cpu/turbo, gpu/standard, gpu/turbo');
  });
});
