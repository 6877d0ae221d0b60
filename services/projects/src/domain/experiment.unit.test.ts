import type { ExperimentEvent } from '@cairn/contracts';
import { deciderSpec } from '@cairn/testing';
import { experimentDecider, type CreateExperiment } from './experiment';

const spec = deciderSpec(experimentDecider);

const create = (overrides: Partial<CreateExperiment> = {}): CreateExperiment => ({
  type: 'CreateExperiment',
  experimentId: 'e1',
  lab: 'lab1',
  name: 'Grid 7, 300 kV',
  description: 'Second collection',
  actor: 'bob',
  actorIsLabMember: true,
  ...overrides,
});
const created: ExperimentEvent = {
  type: 'projects.experiment.created.v1',
  data: { experimentId: 'e1', lab: 'lab1', name: 'Grid 7, 300 kV', description: 'Second collection', actor: 'bob' },
};

describe('Experiment: "The experiment manager lists all experiments in the lab"', () => {
  it('a lab member creates an experiment that belongs to the lab, in no project yet', () => {
    spec.given([]).when(create()).then([created]);
  });

  it('someone outside the lab cannot', () => {
    spec.given([]).when(create({ actorIsLabMember: false })).thenThrows('labs.members-only', 'forbidden');
  });

  it('is named like a project: 1 to 120 characters, not blank', () => {
    spec.given([]).when(create({ name: ' ' })).thenThrows('fields.name-required', 'invalid');
    spec.given([]).when(create({ name: 'x'.repeat(121) })).thenThrows('fields.name-too-long', 'invalid');
  });

  it('is created once', () => {
    spec.given([created]).when(create()).thenThrows('experiments.experiment-exists', 'conflict');
  });
});
