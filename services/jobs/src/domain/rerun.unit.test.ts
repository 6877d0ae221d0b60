import { deciderSpec, facility } from '@cairn/testing';
import { changesBetween } from './changes';
import { jobDecider, type JobCommand, type RerunJob } from './job';
import { files, renderMolecule, renderMolecule11, requested, requestedData } from './testing/jobs.fixtures';

const spec = deciderSpec(jobDecider);

/** Carol's job j1, rerun by Bob as j2. */
const original = requestedData();
const rerun = (overrides: RerunJob['overrides'] = {}, more: Partial<RerunJob> = {}): JobCommand => ({
  type: 'RerunJob',
  jobId: 'j2',
  projectId: 'p1',
  template: renderMolecule,
  files,
  original,
  overrides,
  ...facility('u-bob', 'member'),
  ...more,
});
const rerunOfJ1 = (overrides: Parameters<typeof requested>[0] = {}) =>
  requested({ jobId: 'j2', outputFolder: 'processed/j2/', triggeredBy: 'u-bob', actor: 'u-bob', rerunOf: 'j1', rootJobId: 'j1', ...overrides });

describe('Rerun: "Rerunning is the recommended way to collaborate"', () => {
  it('"You keep the same workflow and starting point": a new job, the caller as triggerer, a new output folder', () => {
    spec.given([]).when(rerun()).then([rerunOfJ1()]);
  });

  it('"You can adjust parameters, inputs, or performance settings": parameters by name, inputs and machine as a whole', () => {
    spec
      .given([])
      .when(rerun({ parameters: { view: 'all' }, inputs: ['f-water'], machine: { type: 'gpu', performance: 'turbo' } }))
      .then([
        rerunOfJ1({
          parameters: { style: 'cartoon', view: 'all', width: 800 },
          inputs: [{ fileId: 'f-water', path: 'raw/water.XYZ' }],
          machine: { type: 'gpu', performance: 'turbo' },
        }),
      ]);
  });

  it('another version of the same template may be pinned; another template may not', () => {
    spec.given([]).when(rerun({}, { template: renderMolecule11 })).then([rerunOfJ1({ template: { name: 'Render Molecule', version: '1.1.0' } })]);
    spec.given([]).when(rerun({}, { template: { ...renderMolecule, name: 'File Statistics' } })).thenThrows('jobs.rerun-same-template', 'invalid');
  });

  it('overrides are "validated like a new run"', () => {
    spec.given([]).when(rerun({ parameters: { width: 'wide' } })).thenThrows('jobs.parameters-invalid', 'invalid');
    spec.given([]).when(rerun({ inputs: ['f-notes'] })).thenThrows('jobs.input-type-not-accepted', 'invalid');
    spec.given([]).when(rerun({ machine: { type: 'cpu', performance: 'turbo' } })).thenThrows('jobs.machine-not-allowed', 'invalid');
    spec.given([]).when(rerun({}, { files: new Map([...files].filter(([fileId]) => fileId !== 'f-lyso')) })).thenThrows('jobs.input-not-in-project', 'invalid');
  });

  it('"rootJobId the first of the chain": a rerun of a rerun keeps the root', () => {
    const secondRerun: JobCommand = { ...(rerun() as RerunJob), jobId: 'j3', original: requestedData({ jobId: 'j2', rerunOf: 'j1', rootJobId: 'j1' }) };
    spec.given([]).when(secondRerun).then([rerunOfJ1({ jobId: 'j3', outputFolder: 'processed/j3/', rerunOf: 'j2', rootJobId: 'j1' })]);
  });

  it('a viewer "can view job details, but cannot run analysis": no rerun', () => {
    spec.given([]).when(rerun({}, facility('u-vic', 'viewer'))).thenThrows('requires.jobs.run', 'forbidden');
  });
});

describe('changes: "only the parameters, inputs, machine and template version that differ from the job it came from"', () => {
  it('names exactly what changed, from and to', () => {
    const rerunData = { ...original, parameters: { ...original.parameters, view: 'all' }, machine: { type: 'gpu' as const, performance: 'standard' as const } };
    expect(changesBetween(original, rerunData)).toEqual({
      parameters: { view: { from: 'front', to: 'all' } },
      machine: { from: { type: 'cpu', performance: 'standard' }, to: { type: 'gpu', performance: 'standard' } },
    });
  });

  it('is empty for the same request, whatever the order of keys inside a value', () => {
    const nested = { ...original, parameters: { region: { x: 1, y: 2 } } };
    expect(changesBetween(nested, { ...nested, parameters: { region: { y: 2, x: 1 } } })).toEqual({});
  });

  it('inputs added and removed by file, the template by version, a parameter one side lacks by its one side', () => {
    const other = {
      ...original,
      template: { name: 'Render Molecule', version: '1.1.0' },
      inputs: [{ fileId: 'f-water', path: 'raw/water.XYZ' }],
      parameters: { style: 'cartoon', view: 'front' },
    };
    expect(changesBetween(original, other)).toEqual({
      parameters: { width: { from: 800 } },
      inputs: { added: [{ fileId: 'f-water', path: 'raw/water.XYZ' }], removed: [{ fileId: 'f-lyso', path: 'raw/lysozyme.pdb' }] },
      templateVersion: { from: '1.0.0', to: '1.1.0' },
    });
  });

  it('the same inputs in another order are a change: the command receives them in order', () => {
    const two = { ...original, inputs: [{ fileId: 'a', path: 'raw/a.pdb' }, { fileId: 'b', path: 'raw/b.pdb' }] };
    expect(changesBetween(two, { ...two, inputs: [...two.inputs].reverse() })).toEqual({ inputs: { added: [], removed: [], reordered: true } });
  });
});
