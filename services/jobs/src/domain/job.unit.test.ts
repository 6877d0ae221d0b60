import type { Machine } from '@cairn/contracts';
import { deciderSpec, facility, lab } from '@cairn/testing';
import { jobDecider, type JobCommand } from './job';
import { cancelledByRunner, cancelRequested, failed, files, renderMolecule, requested, started, succeeded } from './testing/jobs.fixtures';

const spec = deciderSpec(jobDecider);

const cpu: Machine = { type: 'cpu', performance: 'standard' };
const run = (overrides: Partial<Extract<JobCommand, { type: 'RequestJob' }>> = {}): JobCommand => ({
  type: 'RequestJob',
  jobId: 'j1',
  projectId: 'p1',
  template: renderMolecule,
  files,
  inputs: ['f-lyso'],
  parameters: { style: 'cartoon' },
  machine: cpu,
  ...facility('u-carol', 'member'),
  ...overrides,
});
const claim = (runnerId = 'r1'): JobCommand => ({ type: 'StartJob', runnerId });
const finishOk = (runnerId = 'r1'): JobCommand => ({ type: 'FinishJob', runnerId, outcome: 'succeeded', exitCode: 0 });
const output = (fileId = 'f-out', path = 'processed/j1/molecule.svg', runnerId = 'r1'): JobCommand => ({
  type: 'RecordOutput',
  runnerId,
  fileId,
  path,
  size: 120,
  sha256: 'cd'.repeat(32),
});
const outputAdded = {
  type: 'jobs.job.output-added.v1' as const,
  data: { jobId: 'j1', projectId: 'p1', runnerId: 'r1', fileId: 'f-out', path: 'processed/j1/molecule.svg', size: 120, sha256: 'cd'.repeat(32) },
};
const cancel = (actor: ReturnType<typeof facility>): JobCommand => ({ type: 'CancelJob', ...actor });

describe('Job: "Run. The job pins the template version, gets its output folder processed/<jobId>/, and is queued"', () => {
  it('a member runs a template on a file of the project: queued, pinned, defaults filled in, in its own folder', () => {
    spec.given([]).when(run()).then([requested({ parameters: { style: 'cartoon', view: 'front', width: 800 } })]);
  });

  it('lab scheme: an experimenter runs; a commenter cannot', () => {
    spec.given([]).when(run(lab('u-carol', 'experimenter'))).then([requested({ parameters: { style: 'cartoon', view: 'front', width: 800 } })]);
    spec.given([]).when(run(lab('u-cy', 'commenter'))).thenThrows('requires.jobs.run', 'forbidden');
  });

  it('Viewer: "cannot run analysis or modify anything"', () => {
    spec.given([]).when(run(facility('u-vic', 'viewer'))).thenThrows('requires.jobs.run', 'forbidden');
  });

  describe('"Inputs must be files of the project with an accepted type"', () => {
    it('a file type is its extension, whatever its case', () => {
      spec
        .given([])
        .when(run({ inputs: ['f-water', 'f-lyso'] }))
        .then([
          requested({
            inputs: [
              { fileId: 'f-water', path: 'raw/water.XYZ' },
              { fileId: 'f-lyso', path: 'raw/lysozyme.pdb' },
            ],
            parameters: { style: 'cartoon', view: 'front', width: 800 },
          }),
        ]);
    });

    it('a type the template does not accept is refused, naming the input', () => {
      const error = spec.given([]).when(run({ inputs: ['f-lyso', 'f-notes'] })).thenThrows('jobs.input-type-not-accepted', 'invalid');
      expect(error.details).toEqual({ errors: [{ field: 'inputs.1', message: 'is not of a type Render Molecule@1.0.0 accepts (xyz, pdb)' }] });
    });

    it('a file of another project is refused like a file that does not exist', () => {
      for (const fileId of ['f-other', 'f-nowhere']) {
        const error = spec.given([]).when(run({ inputs: [fileId] })).thenThrows('jobs.input-not-in-project', 'invalid');
        expect(error.details).toEqual({ errors: [{ field: 'inputs.0', message: 'is not a file of this project' }] });
      }
    });

    it('a deleted file, no input at all, or the same file twice are refused', () => {
      spec.given([]).when(run({ inputs: ['f-gone'] })).thenThrows('jobs.input-deleted', 'invalid');
      spec.given([]).when(run({ inputs: [] })).thenThrows('jobs.inputs-required', 'invalid');
      spec.given([]).when(run({ inputs: ['f-lyso', 'f-lyso'] })).thenThrows('jobs.inputs-repeated', 'invalid');
    });
  });

  it('"parameters are validated against the schema": errors per field, parameters.<name>, unknown ones too', () => {
    const error = spec
      .given([])
      .when(run({ parameters: { style: 'sketch', width: 10, zoom: 2 } }))
      .thenThrows('jobs.parameters-invalid', 'invalid');
    expect(error.details).toEqual({
      errors: [
        { field: 'parameters.zoom', message: 'is not a parameter of this template' },
        { field: 'parameters.style', message: 'must be one of ball-and-stick, cartoon, wireframe' },
        { field: 'parameters.width', message: 'must be >= 64' },
      ],
    });
  });

  it('"the machine type must be allowed"', () => {
    const error = spec.given([]).when(run({ machine: { type: 'cpu', performance: 'turbo' } })).thenThrows('jobs.machine-not-allowed', 'invalid');
    expect(error.details).toEqual({ errors: [{ field: 'machine', message: 'cpu/turbo is not a machine Render Molecule@1.0.0 runs on (cpu/standard, gpu/standard, gpu/turbo)' }] });
  });
});

describe('Job lifecycle: "States: queued, running, succeeded, failed, cancelling, cancelled. No transition leaves a terminal state."', () => {
  it('a runner claims the queued job: running, held by that runner', () => {
    spec.given([requested()]).when(claim()).then([started()]);
  });

  it('the same runner claiming again (its answer was lost) changes nothing; another runner finds it gone', () => {
    spec.given([requested(), started()]).when(claim()).then([]);
    spec.given([requested(), started()]).when(claim('r2')).thenThrows('jobs.claim-gone', 'conflict');
    spec.given([requested(), { type: 'jobs.job.cancelled.v1', data: { jobId: 'j1', projectId: 'p1', actor: 'u-carol' } }]).when(claim()).thenThrows('jobs.claim-gone');
  });

  it('outputs go under the job\'s own folder; the same output reported twice is recorded once', () => {
    spec.given([requested(), started()]).when(output()).then([outputAdded]);
    spec.given([requested(), started(), outputAdded]).when(output()).then([]);
    spec.given([requested(), started()]).when(output('f-x', 'processed/j2/molecule.svg')).thenThrows('jobs.output-outside-folder', 'invalid');
    spec.given([requested(), started()]).when(output('f-x', 'processed/j1/')).thenThrows('jobs.output-outside-folder', 'invalid');
  });

  it('progress is recorded when it changes', () => {
    const progress: JobCommand = { type: 'ReportProgress', runnerId: 'r1', fraction: 0.5, message: 'rendering' };
    const progressed = { type: 'jobs.job.progressed.v1' as const, data: { jobId: 'j1', projectId: 'p1', runnerId: 'r1', fraction: 0.5, message: 'rendering' } };
    spec.given([requested(), started()]).when(progress).then([progressed]);
    spec.given([requested(), started(), progressed]).when(progress).then([]);
    spec.given([requested(), started()]).when({ ...progress, fraction: 1.5 }).thenThrows('jobs.progress-fraction', 'invalid');
  });

  it('the command exits with 0: succeeded', () => {
    spec.given([requested(), started()]).when(finishOk()).then([succeeded]);
  });

  it('"A command that exits non-zero or passes its time limit fails with failure.kind: executor, its exit code and the last log lines"', () => {
    spec
      .given([requested(), started()])
      .when({ type: 'FinishJob', runnerId: 'r1', outcome: 'failed', failure: { kind: 'executor', reason: 'exited with 3', exitCode: 3, lastLogLines: ['bad atom on line 7'] } })
      .then([
        {
          type: 'jobs.job.failed.v1',
          data: { jobId: 'j1', projectId: 'p1', runnerId: 'r1', failure: { kind: 'executor', reason: 'exited with 3', exitCode: 3, lastLogLines: ['bad atom on line 7'] } },
        },
      ]);
    spec.given([requested(), started()]).when({ type: 'FinishJob', runnerId: 'r1', outcome: 'succeeded', exitCode: 3 }).thenThrows('jobs.succeeded-exit-code', 'invalid');
  });

  it('"A runner that stops heartbeating fails its job with failure.kind: system and a reason"', () => {
    const lost: JobCommand = { type: 'FailLostRunner', runnerId: 'r1', reason: 'runner r1 stopped heartbeating' };
    spec.given([requested(), started()]).when(lost).then([failed('system', 'runner r1 stopped heartbeating')]);
    spec.given([requested(), started(), cancelRequested()]).when(lost).then([failed('system', 'runner r1 stopped heartbeating')]);
    // A heartbeat record left over from a job that has ended, or from another runner, changes nothing.
    spec.given([requested(), started(), succeeded]).when(lost).then([]);
    spec.given([requested(), started('r2')]).when(lost).then([]);
  });

  describe('"A duplicate or late report changes nothing"', () => {
    const reports: [string, JobCommand][] = [
      ['finished', finishOk()],
      ['output', output()],
      ['progress', { type: 'ReportProgress', runnerId: 'r1', fraction: 1 }],
    ];
    it.each(reports)('a %s report after the job ended is refused as late', (_report, command) => {
      for (const end of [succeeded, failed('system', 'lost'), cancelledByRunner]) {
        spec.given([requested(), started(), cancelRequested(), end]).when(command).thenThrows('jobs.job-ended', 'conflict');
      }
    });

    it.each(reports)('a %s report from a runner that does not hold the job is refused', (_report, command) => {
      spec.given([requested(), started('r2')]).when(command).thenThrows('jobs.not-held-by-runner', 'conflict');
      spec.given([requested()]).when(command).thenThrows('jobs.not-held-by-runner', 'conflict');
    });
  });

  describe('Cancel: "for the triggerer, or manager+ (facility), owner (lab)"', () => {
    it('"Cancelling a queued job ends it at once"', () => {
      spec.given([requested()]).when(cancel(facility('u-carol', 'member'))).then([{ type: 'jobs.job.cancelled.v1', data: { jobId: 'j1', projectId: 'p1', actor: 'u-carol' } }]);
    });

    it('"Cancelling a running job is cancelling until the runner confirms"', () => {
      spec.given([requested(), started()]).when(cancel(facility('u-carol', 'member'))).then([cancelRequested()]);
      spec.given([requested(), started(), cancelRequested()]).when(cancel(facility('u-carol', 'member'))).then([]);
      spec.given([requested(), started(), cancelRequested()]).when({ type: 'FinishJob', runnerId: 'r1', outcome: 'cancelled' }).then([cancelledByRunner]);
    });

    it('a runner confirms only a cancellation someone asked for; one that finished first reports how it ended', () => {
      spec.given([requested(), started()]).when({ type: 'FinishJob', runnerId: 'r1', outcome: 'cancelled' }).thenThrows('jobs.cancel-not-requested', 'conflict');
      spec.given([requested(), started(), cancelRequested()]).when(finishOk()).then([succeeded]);
    });

    it('a manager cancels anyone\'s job; another member cannot; a viewer cannot cancel at all', () => {
      spec.given([requested()]).when(cancel(facility('u-max', 'manager'))).then([{ type: 'jobs.job.cancelled.v1', data: { jobId: 'j1', projectId: 'p1', actor: 'u-max' } }]);
      spec.given([requested()]).when(cancel(facility('u-mia', 'member'))).thenThrows('requires.jobs.cancel', 'forbidden');
      spec.given([requested()]).when(cancel(facility('u-vic', 'viewer'))).thenThrows('requires.jobs.cancel', 'forbidden');
      spec.given([requested({ triggeredBy: 'u-vic' })]).when(cancel(facility('u-vic', 'viewer'))).thenThrows('requires.jobs.run', 'forbidden');
    });

    it('lab scheme: an owner cancels anyone\'s job, an experimenter only their own', () => {
      spec.given([requested()]).when(cancel(lab('u-olga', 'owner'))).then([{ type: 'jobs.job.cancelled.v1', data: { jobId: 'j1', projectId: 'p1', actor: 'u-olga' } }]);
      spec.given([requested()]).when(cancel(lab('u-eli', 'experimenter'))).thenThrows('requires.jobs.cancel', 'forbidden');
    });

    it('an ended job cannot be cancelled', () => {
      spec.given([requested(), started(), succeeded]).when(cancel(facility('u-carol', 'member'))).thenThrows('jobs.job-ended', 'conflict');
    });
  });

  it('nothing happens to a job that does not exist', () => {
    spec.given([]).when(claim()).thenThrows('jobs.job-unknown', 'not-found');
    spec.given([]).when(cancel(facility('u-carol', 'member'))).thenThrows('jobs.job-unknown', 'not-found');
  });
});
