import { eventCatalogue, validateOnPublish } from './index';
import { jobsEvents } from './jobs.events';

const job = { jobId: '01j', projectId: 'p1' };

describe('jobs events: docs/api.md "Events" names them, each with a JSON Schema', () => {
  it('has exactly the jobs events docs/api.md lists', () => {
    expect(jobsEvents.map((definition) => definition.type)).toEqual([
      'jobs.template.registered.v1',
      'jobs.template.registered.v2',
      'jobs.template.registered.v3',
      'jobs.job.requested.v1',
      'jobs.job.started.v1',
      'jobs.job.progressed.v1',
      'jobs.job.output-added.v1',
      'jobs.job.succeeded.v1',
      'jobs.job.failed.v1',
      'jobs.job.cancel-requested.v1',
      'jobs.job.cancelled.v1',
    ]);
  });

  const template = { templateId: 't1', name: 'T', version: '1', description: '', parameters: {}, inputTypes: ['*'], machineTypes: ['cpu/standard'], command: ['true'], timeLimitSeconds: 60, actor: 'u-a' };

  it('a template registered as v1 or v2 reads as v3: nothing asked of the sandbox (v1) or the site, and not deterministic', () => {
    const { upcasters } = eventCatalogue();
    expect(upcasters.upcast({ type: 'jobs.template.registered.v1', data: template })).toEqual({ type: 'jobs.template.registered.v3', data: { ...template, deterministic: false } });
    const sandbox = { network: true };
    expect(upcasters.upcast({ type: 'jobs.template.registered.v2', data: { ...template, sandbox } })).toEqual({
      type: 'jobs.template.registered.v3',
      data: { ...template, sandbox, deterministic: false },
    });
  });

  it('v3 says whether it is deterministic, and asks the site for modules and an image whose names a shell reads as plain words, nothing else', () => {
    const v3 = (fields: Record<string, unknown>) => () => validateOnPublish({ type: 'jobs.template.registered.v3', data: { ...template, deterministic: false, ...fields } });
    expect(v3({ environment: { modules: ['dials', 'openbabel/3.1'], image: 'ghcr.io/lab/dials:3.12' }, deterministic: true })).not.toThrow();
    expect(v3({ environment: {} })).not.toThrow();
    expect(v3({ deterministic: undefined })).toThrow(/deterministic/);
    expect(v3({ environment: { modules: ['dials && curl x'] } })).toThrow();
    expect(v3({ environment: { image: '$(id)' } })).toThrow();
    expect(v3({ environment: { variables: {} } })).toThrow();
    expect(() => validateOnPublish({ type: 'jobs.template.registered.v2', data: { ...template, deterministic: true } })).toThrow();
  });

  it('v2 takes the network and positive whole limits, nothing else', () => {
    const v2 = (sandbox: unknown) => () => validateOnPublish({ type: 'jobs.template.registered.v2', data: { ...template, sandbox } });
    expect(v2({ network: true, limits: { memoryBytes: 1024, processes: 8, cpuSeconds: 60, outputFiles: 3, outputBytes: 4096 } })).not.toThrow();
    expect(v2({ limits: { processes: 0 } })).toThrow(/processes/);
    expect(v2({ limits: { threads: 8 } })).toThrow();
    expect(v2({ privileged: true })).toThrow();
    expect(() => validateOnPublish({ type: 'jobs.template.registered.v1', data: { ...template, sandbox: { network: true } } })).toThrow();
  });

  it('"Failures say whose they are": executor or system, nothing else', () => {
    expect(() => validateOnPublish({ type: 'jobs.job.failed.v1', data: { ...job, runnerId: 'r1', failure: { kind: 'system', reason: 'runner lost' } } })).not.toThrow();
    expect(() => validateOnPublish({ type: 'jobs.job.failed.v1', data: { ...job, failure: { kind: 'user', reason: 'x' } } })).toThrow(/kind/);
  });

  it('a cancellation names who ended it: the person (queued) or the runner (confirmed)', () => {
    expect(() => validateOnPublish({ type: 'jobs.job.cancelled.v1', data: { ...job, actor: 'u-bob' } })).not.toThrow();
    expect(() => validateOnPublish({ type: 'jobs.job.cancelled.v1', data: { ...job, runnerId: 'r1' } })).not.toThrow();
    expect(() => validateOnPublish({ type: 'jobs.job.cancelled.v1', data: { ...job } })).toThrow();
  });

  it('a runner id is a subject token: it names the runner\'s cancel subject', () => {
    expect(() => validateOnPublish({ type: 'jobs.job.started.v1', data: { ...job, runnerId: 'runner.*' } })).toThrow(/runnerId/);
  });

  it('a job\'s output folder is its own processed/<jobId>/ folder', () => {
    const requested = {
      ...job,
      template: { name: 'File Statistics', version: '1.0.0' },
      inputs: [{ fileId: 'f1', path: 'raw/a.txt' }],
      parameters: {},
      machine: { type: 'cpu', performance: 'standard' },
      command: ['node', 'stats.js', '{{inputs}}'],
      timeLimitSeconds: 60,
      outputFolder: 'processed/01j/',
      triggeredBy: 'u-carol',
      rootJobId: '01j',
      actor: 'u-carol',
    };
    expect(() => validateOnPublish({ type: 'jobs.job.requested.v1', data: requested })).not.toThrow();
    expect(() => validateOnPublish({ type: 'jobs.job.requested.v1', data: { ...requested, outputFolder: 'processed/../raw/' } })).toThrow(/outputFolder/);
  });
});
