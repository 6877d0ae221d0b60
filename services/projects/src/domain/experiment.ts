import { conflict, type Decider, type ExperimentEvent } from '@cairn/contracts';
import { requireDescription, requireName } from './fields';
import { requireLabMember } from './guards';

/**
 * An experiment: a dataset that belongs to the lab ("linked dataset" in the facility guide) and may be
 * added to any number of the lab's projects. Stream: `projects_experiment-<experimentId>`.
 */
export interface ExperimentState {
  exists: boolean;
  lab: string;
}

export interface CreateExperiment {
  type: 'CreateExperiment';
  experimentId: string;
  lab: string;
  name: string;
  description?: string;
  actor: string;
  actorIsLabMember: boolean;
}

export type ExperimentCommand = CreateExperiment;

export const experimentDecider: Decider<ExperimentCommand, ExperimentState, ExperimentEvent> = {
  initialState: () => ({ exists: false, lab: '' }),

  decide(command, state) {
    if (state.exists) throw conflict('experiments.experiment-exists', `experiment ${command.experimentId} already exists`);
    requireLabMember(command.actorIsLabMember, 'create experiments');
    return [
      {
        type: 'projects.experiment.created.v1',
        data: {
          experimentId: command.experimentId,
          lab: command.lab,
          name: requireName(command.name),
          description: requireDescription(command.description),
          actor: command.actor,
        },
      },
    ];
  },

  evolve: (_state, event) => ({ exists: true, lab: event.data.lab }),
};
