import type { Assignment } from '@cairn/contracts';
import { encodingFormatOf, processRunCrate, type CrateFacts } from './ro-crate';

const SHA = (digit: string) => digit.repeat(64);

const assignment: Assignment = {
  jobId: 'j2',
  projectId: 'p1',
  template: { name: 'File Statistics', version: '1.0.0' },
  command: ['node', 'stats.js', '{inputs}', '{outputDir}'],
  parameters: { bins: 16 },
  inputs: [{ fileId: 'f1', path: 'raw/intensities.csv' }],
  machine: { type: 'gpu', performance: 'standard' },
  outputFolder: 'processed/j2/',
  timeLimitSeconds: 300,
  heartbeatIntervalMs: 5_000,
  position: 7,
  provenance: {
    requestedAt: '2026-12-07T10:00:00.000Z',
    startedAt: '2026-12-07T10:00:01.000Z',
    triggeredBy: { id: 'u-bob', username: 'bob', displayName: 'Bob Baker' },
    template: { description: 'Counts and bins', parameters: { type: 'object', properties: { bins: { type: 'integer' } } } },
    inputs: [{ fileId: 'f1', sha256: SHA('a'), size: 42 }],
    rerunOf: 'j1',
    rootJobId: 'j0',
  },
};

const facts = (overrides: Partial<CrateFacts> = {}): CrateFacts => ({
  assignment,
  ending: { outcome: 'succeeded', exitCode: 0 },
  endedAt: '2026-12-07T10:00:05.000Z',
  outputs: [{ path: 'processed/j2/stats.json', size: 10, sha256: SHA('b') }],
  alongside: [{ path: 'processed/j2/job.log', size: 3, sha256: SHA('c') }],
  apiUrl: 'https://cairn.example.org/',
  runnerId: 'runner-1',
  ...overrides,
});

const entity = (crate: ReturnType<typeof processRunCrate>, id: string) => crate['@graph'].find((node) => node['@id'] === id);

describe('a job\'s Process Run Crate (profile 0.5, RO-Crate 1.1)', () => {
  it('describes the job as a CreateAction: the triggerer as agent, the pinned template as instrument, times and status', () => {
    const crate = processRunCrate(facts());
    expect(crate['@context'][0]).toBe('https://w3id.org/ro/crate/1.1/context');
    expect(entity(crate, './')).toMatchObject({ '@type': 'Dataset', conformsTo: { '@id': 'https://w3id.org/ro/wfrun/process/0.5' }, mentions: { '@id': '#run-j2' } });
    expect(entity(crate, '#run-j2')).toMatchObject({
      '@type': 'CreateAction',
      agent: { '@id': '#person-u-bob' },
      instrument: { '@id': 'https://cairn.example.org/api/job-templates#File%20Statistics%401.0.0' },
      startTime: '2026-12-07T10:00:01.000+00:00',
      endTime: '2026-12-07T10:00:05.000+00:00',
      actionStatus: 'http://schema.org/CompletedActionStatus',
      result: { '@id': 'stats.json' },
    });
    expect(entity(crate, '#run-j2')).not.toHaveProperty('error');
    expect(entity(crate, '#person-u-bob')).toMatchObject({ '@type': 'Person', name: 'Bob Baker', alternateName: 'bob' });
    expect(entity(crate, 'https://cairn.example.org/api/job-templates#File%20Statistics%401.0.0')).toMatchObject({ '@type': 'SoftwareApplication', name: 'File Statistics', softwareVersion: '1.0.0' });
    expect(entity(crate, '#template-command')).toMatchObject({ '@type': 'PropertyValue', value: JSON.stringify(assignment.command) });
    expect(JSON.parse(entity(crate, '#template-parameters')!.value as string)).toEqual(assignment.provenance!.template.parameters);
  });

  it('lists outputs as Files with sha256, size and format; inputs by their Cairn URL, not bundled; parameters and machine as PropertyValues', () => {
    const crate = processRunCrate(facts());
    expect(entity(crate, 'stats.json')).toMatchObject({ '@type': 'File', sha256: SHA('b'), contentSize: '10', encodingFormat: 'application/json' });
    const input = 'https://cairn.example.org/api/projects/p1/files/f1/content';
    expect(entity(crate, input)).toMatchObject({ '@type': 'File', name: 'raw/intensities.csv', sha256: SHA('a'), contentSize: '42', encodingFormat: 'text/csv' });
    expect(entity(crate, '#parameter-bins')).toMatchObject({ '@type': 'PropertyValue', name: 'bins', value: '16' });
    expect(entity(crate, '#machine')).toMatchObject({ '@type': 'PropertyValue', value: 'gpu/standard' });
    expect(entity(crate, '#run-j2')!.object).toEqual([{ '@id': input }, { '@id': '#parameter-bins' }, { '@id': '#machine' }]);
    expect(entity(crate, './')!.hasPart).toEqual([{ '@id': 'stats.json' }, { '@id': 'job.log' }, { '@id': input }]);
  });

  it('links a rerun to the crates of the job it reruns and of the root of its chain', () => {
    const crate = processRunCrate(facts());
    expect(entity(crate, './')!.isBasedOn).toEqual([{ '@id': 'https://cairn.example.org/api/jobs/j1/ro-crate' }, { '@id': 'https://cairn.example.org/api/jobs/j0/ro-crate' }]);
    const first = processRunCrate(facts({ assignment: { ...assignment, provenance: { ...assignment.provenance!, rerunOf: undefined, rootJobId: 'j2' } } }));
    expect(entity(first, './')).not.toHaveProperty('isBasedOn');
  });

  it('a failed job: FailedActionStatus with its failure kind and reason; a cancelled one says it was cancelled', () => {
    const failed = processRunCrate(facts({ ending: { outcome: 'failed', failure: { kind: 'executor', reason: 'exited with 3' } }, outputs: [] }));
    expect(entity(failed, '#run-j2')).toMatchObject({ actionStatus: 'http://schema.org/FailedActionStatus', error: 'executor failure: exited with 3', result: [] });
    const cancelled = processRunCrate(facts({ ending: { outcome: 'cancelled' }, outputs: [] }));
    expect(entity(cancelled, '#run-j2')).toMatchObject({ actionStatus: 'http://schema.org/FailedActionStatus', error: expect.stringMatching(/^cancelled/) });
  });

  it('names media types by extension, and octet-stream for those it does not know', () => {
    expect(encodingFormatOf('processed/j/picture.SVG')).toBe('image/svg+xml');
    expect(encodingFormatOf('raw/water.xyz')).toBe('chemical/x-xyz');
    expect(encodingFormatOf('raw/.hidden')).toBe('application/octet-stream');
    expect(encodingFormatOf('raw/data.bin')).toBe('application/octet-stream');
  });
});
