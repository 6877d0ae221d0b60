import { projectionSpec, storedEvents } from '@cairn/testing';
import { requestedData } from '../domain/testing/jobs.fixtures';
import { jobCommentsProjection } from './job-comments.projection';
import { jobSearchProjection } from './job-search.projection';
import { searchTermsOf } from './job-search.queries';
import { jobTemplatesProjection } from './job-templates.projection';
import { experimentLinksProjection, projectFilesProjection } from './project-files.projection';

const log = storedEvents();
const requested = log.event('jobs.job.requested.v1', requestedData({ rerunOf: 'j0', rootJobId: 'j0' }));
const started = log.event('jobs.job.started.v1', { jobId: 'j1', projectId: 'p1', runnerId: 'r1' });
const failed = log.event('jobs.job.failed.v1', { jobId: 'j1', projectId: 'p1', runnerId: 'r1', failure: { kind: 'system', reason: 'runner r1 stopped heartbeating' } });

describe('job_search: the job list and its filters', () => {
  it('a job is listed from its request, and follows its status to its end', () => {
    projectionSpec(jobSearchProjection)
      .given([requested, started])
      .when([failed])
      .then([
        {
          _id: 'j1',
          projectId: 'p1',
          templateName: 'Render Molecule',
          templateVersion: '1.0.0',
          templateLower: 'render molecule',
          status: 'failed',
          machine: 'cpu/standard',
          triggeredBy: 'u-carol',
          createdAt: requested.time,
          startedAt: started.time,
          endedAt: failed.time,
          runnerId: 'r1',
          rerunOf: 'j0',
          rootJobId: 'j0',
          outputFolder: 'processed/j1/',
          failureKind: 'system',
          searchTerms: ['render', 'molecule', 'cartoon', 'front', '800'],
        },
      ]);
  });

  it('a job\'s request, start and end in one batch are one write of the same document', () => {
    expect(jobSearchProjection.handle([requested, started, failed])).toEqual([
      { kind: 'replace', id: 'j1', position: failed.position, document: expect.objectContaining({ status: 'failed', startedAt: started.time, endedAt: failed.time, failureKind: 'system' }) },
    ]);
    projectionSpec(jobSearchProjection)
      .when([requested, started, failed])
      .then((documents) => expect(documents).toEqual([expect.objectContaining({ _id: 'j1', status: 'failed', runnerId: 'r1', createdAt: requested.time, endedAt: failed.time })]));
  });

  it('"free text over template name and parameter values": words of both, lower-cased, hyphenated ones whole too', () => {
    expect(searchTermsOf('Render Molecule', { style: 'Ball-and-Stick', region: { x: 1 }, tags: ['GPU run'], none: null })).toEqual([
      'render',
      'molecule',
      'ball',
      'and',
      'stick',
      '1',
      'gpu',
      'run',
      'ball-and-stick',
    ]);
  });
});

describe('the models the jobs service keeps of other contexts and of its templates', () => {
  it('project_files: a file of a project with its content digest, present until its deletion', () => {
    const files = storedEvents();
    const added = files.event('projects.file.added.v1', { projectId: 'p1', fileId: 'f1', path: 'raw/a.pdb', kind: 'raw', size: 1, sha256: 'ab'.repeat(32), addedBy: 'u-a', actor: 'u-a' });
    const deleted = files.event('projects.file.deleted.v1', { projectId: 'p1', fileId: 'f1', path: 'raw/a.pdb', kind: 'raw', requestId: 'd1', actor: 'u-b' });
    projectionSpec(projectFilesProjection).given([added]).when([deleted]).then([{ _id: 'f1', projectId: 'p1', path: 'raw/a.pdb', present: false, sha256: 'ab'.repeat(32), size: 1 }]);
  });

  it('project_files: a file uploaded into an experiment names the experiment beside the project it came through', () => {
    const files = storedEvents();
    const added = files.event('projects.file.added-to-experiment.v1', { projectId: 'p1', experimentId: 'e1', fileId: 'f1', path: 'frames/f1.tif', size: 1, sha256: 'ab'.repeat(32), addedBy: 'u-a', actor: 'u-a' });
    projectionSpec(projectFilesProjection).when([added]).then([{ _id: 'f1', projectId: 'p1', experimentId: 'e1', path: 'frames/f1.tif', present: true, sha256: 'ab'.repeat(32), size: 1 }]);
  });

  it('experiment_links: the projects an experiment is in, as links and removals happen', () => {
    const links = storedEvents();
    const linked = (projectId: string) => links.event('projects.experiment.linked.v1', { projectId, lab: 'l1', experimentIds: ['e1', 'e2'], actor: 'u-a' }, { aggregateId: `project-${projectId}` });
    const history = [linked('p1'), linked('p2')];
    const unlinked = links.event('projects.experiment.unlinked.v1', { projectId: 'p1', lab: 'l1', experimentIds: ['e1'], confirmedWidening: false, actor: 'u-a' }, { aggregateId: 'project-p1' });
    projectionSpec(experimentLinksProjection)
      .given(history)
      .when([unlinked])
      .then([
        { _id: 'e1', projects: ['p2'] },
        { _id: 'e2', projects: ['p1', 'p2'] },
      ]);
  });

  it('job_comments: how many comments a job has and the latest; comments on experiments are not counted', () => {
    const comments = storedEvents();
    const comment = (commentId: string, target: { jobId: string } | { experimentId: string }) =>
      comments.event('logbook.comment.added.v1', { projectId: 'p1', commentId, version: 1, body: `comment ${commentId}`, mentions: [], actor: 'u-bob', ...target }, { aggregateId: 'job-j1' });
    const first = comment('c1', { jobId: 'j1' });
    const onExperiment = comment('c2', { experimentId: 'e1' });
    const second = comment('c3', { jobId: 'j1' });
    projectionSpec(jobCommentsProjection)
      .given([first])
      .when([onExperiment, second])
      .then([{ _id: 'j1', count: 2, latest: { commentId: 'c3', body: 'comment c3', author: 'u-bob', at: second.time } }]);
  });

  it('job_templates: each version, its schema kept as JSON text (schemas hold $-keys a document may not)', () => {
    const templates = storedEvents();
    const parameters = { type: 'object', $defs: { width: { type: 'integer' } }, properties: { width: { $ref: '#/$defs/width' } } };
    const registered = templates.event(
      'jobs.template.registered.v3',
      {
        templateId: 't1',
        name: 'Render Molecule',
        version: '1.0.0',
        description: '',
        parameters,
        inputTypes: ['pdb'],
        machineTypes: ['cpu/standard'],
        command: ['render'],
        timeLimitSeconds: 60,
        environment: { modules: ['openbabel/3.1'] },
        deterministic: true,
        actor: 'u-alice',
      },
      { aggregateId: 't1' },
    );
    projectionSpec(jobTemplatesProjection)
      .when([registered])
      .then([
        {
          _id: 't1@1.0.0',
          templateId: 't1',
          name: 'Render Molecule',
          nameLower: 'render molecule',
          version: '1.0.0',
          description: '',
          parametersJson: JSON.stringify(parameters),
          inputTypes: ['pdb'],
          machineTypes: ['cpu/standard'],
          command: ['render'],
          timeLimitSeconds: 60,
          environment: { modules: ['openbabel/3.1'] },
          deterministic: true,
          registeredBy: 'u-alice',
          registeredAt: registered.time,
        },
      ]);
  });
});
