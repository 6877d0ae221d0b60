import type { JobEvent, JobRequestedData, TemplateRegisteredData } from '@cairn/contracts';
import type { ProjectFile } from '../job-request';
import type { TemplateVersion } from '../template';

/** Render Molecule as the issue describes it: an XYZ or PDB input to an SVG image. */
export const renderMoleculeRegistration: Omit<TemplateRegisteredData, 'templateId' | 'actor'> = {
  name: 'Render Molecule',
  version: '1.0.0',
  description: 'An XYZ or PDB input to an SVG image.',
  parameters: {
    type: 'object',
    properties: {
      style: { enum: ['ball-and-stick', 'cartoon', 'wireframe'], default: 'ball-and-stick' },
      view: { enum: ['front', 'side', 'top', 'all'], default: 'front' },
      width: { type: 'integer', minimum: 64, maximum: 4096, default: 800 },
    },
  },
  inputTypes: ['xyz', 'pdb'],
  machineTypes: ['cpu/standard', 'gpu/standard', 'gpu/turbo'],
  command: ['node', 'render.js', '--style={{parameters.style}}', '--view={{parameters.view}}', '--width={{parameters.width}}', '--out', '{{outputDir}}', '{{inputs}}'],
  timeLimitSeconds: 600,
  deterministic: false,
};

export const renderMolecule: TemplateVersion = { templateId: 't-render', ...renderMoleculeRegistration, registeredBy: 'u-alice' };
export const renderMolecule11: TemplateVersion = { ...renderMolecule, version: '1.1.0' };

const file = (fileId: string, path: string, projectId = 'p1', present = true): [string, ProjectFile] => [fileId, { fileId, projectId, path, present }];
/** Project p1's files, one of them deleted, and one file of project p2. */
export const files: ReadonlyMap<string, ProjectFile> = new Map([
  file('f-lyso', 'raw/lysozyme.pdb'),
  file('f-water', 'raw/water.XYZ'),
  file('f-notes', 'raw/notes.txt'),
  file('f-gone', 'raw/old.pdb', 'p1', false),
  file('f-other', 'raw/theirs.pdb', 'p2'),
]);

export const requestedData = (overrides: Partial<JobRequestedData> = {}): JobRequestedData => ({
  jobId: 'j1',
  projectId: 'p1',
  template: { name: 'Render Molecule', version: '1.0.0' },
  inputs: [{ fileId: 'f-lyso', path: 'raw/lysozyme.pdb' }],
  parameters: { style: 'cartoon', view: 'front', width: 800 },
  machine: { type: 'cpu', performance: 'standard' },
  command: renderMolecule.command,
  timeLimitSeconds: 600,
  outputFolder: 'processed/j1/',
  triggeredBy: 'u-carol',
  rootJobId: 'j1',
  actor: 'u-carol',
  ...overrides,
});

export const requested = (overrides: Partial<JobRequestedData> = {}): JobEvent => ({ type: 'jobs.job.requested.v1', data: requestedData(overrides) });
export const started = (runnerId = 'r1', jobId = 'j1'): JobEvent => ({ type: 'jobs.job.started.v1', data: { jobId, projectId: 'p1', runnerId } });
export const cancelRequested = (actor = 'u-carol'): JobEvent => ({ type: 'jobs.job.cancel-requested.v1', data: { jobId: 'j1', projectId: 'p1', runnerId: 'r1', actor } });
export const succeeded: JobEvent = { type: 'jobs.job.succeeded.v1', data: { jobId: 'j1', projectId: 'p1', runnerId: 'r1', exitCode: 0 } };
export const cancelledByRunner: JobEvent = { type: 'jobs.job.cancelled.v1', data: { jobId: 'j1', projectId: 'p1', runnerId: 'r1' } };
export const failed = (kind: 'executor' | 'system', reason: string, exitCode?: number): JobEvent => ({
  type: 'jobs.job.failed.v1',
  data: { jobId: 'j1', projectId: 'p1', runnerId: 'r1', failure: { kind, reason, ...(exitCode === undefined ? {} : { exitCode }) } },
});
