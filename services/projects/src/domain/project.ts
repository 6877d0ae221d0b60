import {
  conflict,
  invalidField,
  notFound,
  requireBaseLevel,
  roleSchemes,
  type Decider,
  type ProjectCreatedData,
  type ProjectEvent,
  type ProjectScheme,
} from '@cairn/contracts';
import { requireDescription, requireIdList, requireName } from './fields';
import { projectDeleted, requireCapability, requireLabMember, type Actor } from './guards';
import { generateSlug, requireAvailableSlug } from './slug';
import { canSee, linkWideningOf, wideningOf, type Audience } from './visibility';

/**
 * A project of a lab and the experiments linked to it. The links are part of the project so that a bulk
 * add or remove is one commit: either every experiment of the call is linked, or none is.
 * Stream: `projects_project-<projectId>`.
 */
export interface ProjectState extends Pick<ProjectCreatedData, 'projectId' | 'lab' | 'name' | 'description' | 'slug' | 'scheme'> {
  status: 'none' | 'active' | 'deleted';
  linkedExperiments: ReadonlySet<string>;
}

export interface CreateProject {
  type: 'CreateProject';
  projectId: string;
  lab: string;
  name: string;
  description?: string;
  /** Generated from the name when absent. */
  slug?: string;
  scheme: ProjectScheme;
  /** Schemes with a base level (lab) only; absent means the scheme's default (lab: none). */
  baseLevel?: string;
  actor: string;
  actorIsLabMember: boolean;
  /** Slugs of the lab's projects, which a new slug must differ from. */
  takenSlugs: ReadonlySet<string>;
}

export interface UpdateProject extends Actor {
  type: 'UpdateProject';
  name?: string;
  description?: string;
}

export interface DeleteProject extends Actor {
  type: 'DeleteProject';
}

export interface LinkExperiments extends Actor {
  type: 'LinkExperiments';
  experimentIds: string[];
  /** The lab of each requested experiment that exists; unknown ones are absent. */
  experimentLabs: ReadonlyMap<string, string>;
  /** Set after the caller saw the widening and chose to go ahead. */
  confirmWidening?: boolean;
  /** Who sees what today: the lab's members, each experiment's projects and each project's readers. */
  audience: Audience;
}

export interface UnlinkExperiments extends Actor {
  type: 'UnlinkExperiments';
  experimentIds: string[];
  /** Set after the caller saw the widening and chose to go ahead. */
  confirmWidening?: boolean;
  /** Who sees what today: the lab's members, each experiment's projects and each project's readers. */
  audience: Audience;
}

export type ProjectCommand = CreateProject | UpdateProject | DeleteProject | LinkExperiments | UnlinkExperiments;

export const projectDecider: Decider<ProjectCommand, ProjectState, ProjectEvent> = {
  initialState: () => ({
    status: 'none',
    projectId: '',
    lab: '',
    name: '',
    description: '',
    slug: '',
    scheme: 'lab',
    linkedExperiments: new Set(),
  }),

  decide(command, state) {
    if (command.type === 'CreateProject') return create(command, state);
    if (state.status === 'none') throw notFound('projects.project-not-found', 'no such project');
    if (state.status === 'deleted') throw projectDeleted(state.projectId);
    switch (command.type) {
      case 'UpdateProject':
        return update(command, state);
      case 'DeleteProject':
        requireCapability(command, 'project.delete', 'deleting the project');
        return [
          {
            type: 'projects.project.deleted.v1',
            data: { projectId: state.projectId, lab: state.lab, slug: state.slug, actor: command.actor },
          },
        ];
      case 'LinkExperiments':
        return link(command, state);
      case 'UnlinkExperiments':
        return unlink(command, state);
    }
  },

  evolve(state, event) {
    switch (event.type) {
      case 'projects.project.created.v1': {
        const { projectId, lab, name, description, slug, scheme } = event.data;
        return { ...state, status: 'active', projectId, lab, name, description, slug, scheme };
      }
      case 'projects.project.updated.v1':
        return {
          ...state,
          name: event.data.name ?? state.name,
          description: event.data.description ?? state.description,
        };
      case 'projects.project.deleted.v1':
        return { ...state, status: 'deleted' };
      case 'projects.experiment.linked.v1':
        return { ...state, linkedExperiments: new Set([...state.linkedExperiments, ...event.data.experimentIds]) };
      case 'projects.experiment.unlinked.v1': {
        const unlinked = new Set(event.data.experimentIds);
        return {
          ...state,
          linkedExperiments: new Set([...state.linkedExperiments].filter((experimentId) => !unlinked.has(experimentId))),
        };
      }
    }
  },
};

function create(command: CreateProject, state: ProjectState): ProjectEvent[] {
  if (state.status !== 'none') throw conflict('projects.project-exists', `project ${command.projectId} already exists`);
  requireLabMember(command.actorIsLabMember, 'create projects');
  const name = requireName(command.name);
  const description = requireDescription(command.description);
  const scheme = Object.hasOwn(roleSchemes, command.scheme) ? roleSchemes[command.scheme] : undefined;
  if (!scheme) throw invalidField('projects.scheme', 'scheme', `must be one of ${Object.keys(roleSchemes).join(', ')}`);
  // The access service initializes the project's access from the created event, by the same rule.
  const baseLevel = requireBaseLevel(scheme, command.baseLevel);
  const slug =
    command.slug === undefined
      ? generateSlug(name, command.takenSlugs)
      : requireAvailableSlug(command.slug, command.takenSlugs);
  return [
    {
      type: 'projects.project.created.v1',
      data: {
        projectId: command.projectId,
        lab: command.lab,
        name,
        description,
        slug,
        scheme: command.scheme,
        ...(baseLevel === null ? {} : { baseLevel }),
        createdBy: command.actor,
        actor: command.actor,
      },
    },
  ];
}

function update(command: UpdateProject, state: ProjectState): ProjectEvent[] {
  requireCapability(command, 'project.update', 'changing the project');
  if (command.name === undefined && command.description === undefined) {
    throw invalidField('projects.update-empty', 'name', 'give a name or a description to change');
  }
  const name = command.name === undefined ? undefined : requireName(command.name);
  const description = command.description === undefined ? undefined : requireDescription(command.description);
  const changes = {
    ...(name !== undefined && name !== state.name ? { name } : {}),
    ...(description !== undefined && description !== state.description ? { description } : {}),
  };
  if (Object.keys(changes).length === 0) return [];
  return [{ type: 'projects.project.updated.v1', data: { projectId: state.projectId, ...changes, actor: command.actor } }];
}

/**
 * Already linked experiments are left out (a retried call changes nothing); no event when none is new.
 * Only experiments the caller can see can be added: one they cannot see is reported exactly like a missing
 * one, so a closed project's experiments are not pulled out of it by id. An addition that shows an
 * experiment to more people is refused with who they are, unless confirmed, as a removal is.
 */
function link(command: LinkExperiments, state: ProjectState): ProjectEvent[] {
  requireCapability(command, 'datasets.link', 'adding experiments to the project');
  const experimentIds = requireIdList(command.experimentIds, 'experimentIds');
  // Other labs' experiments and hidden ones are reported exactly like missing ones, so their ids leak nothing.
  const unseen = experimentIds.filter(
    (experimentId) =>
      command.experimentLabs.get(experimentId) !== state.lab ||
      !canSee(command.audience, command.actor, projectsOfExperiment(command.audience, state, experimentId)),
  );
  if (unseen.length > 0) {
    throw notFound('experiments.not-in-lab', `no experiment ${unseen.join(', ')} in lab ${state.lab}; nothing was added`, {
      experimentIds: unseen,
    });
  }
  const newlyLinked = experimentIds.filter((experimentId) => !state.linkedExperiments.has(experimentId));
  if (newlyLinked.length === 0) return [];
  const { widening } = linkWideningOf(command.audience, state.projectId, newlyLinked);
  if (widening.length > 0 && command.confirmWidening !== true) {
    throw conflict(
      'experiments.link-widens-visibility',
      `adding ${widening.length} experiment(s) would make them visible to more people; confirm to go ahead`,
      { widening },
    );
  }
  return [
    {
      type: 'projects.experiment.linked.v1',
      data: { projectId: state.projectId, lab: state.lab, experimentIds: newlyLinked, actor: command.actor },
    },
  ];
}

/** The projects an experiment is in, this project's own link counted even when the read model lags. */
function projectsOfExperiment(audience: Audience, state: ProjectState, experimentId: string): string[] {
  const projects = new Set(audience.projectsOf.get(experimentId) ?? []);
  if (state.linkedExperiments.has(experimentId)) projects.add(state.projectId);
  return [...projects];
}

/** Experiments not linked are left out (a retried call changes nothing); no event when none is linked. */
function unlink(command: UnlinkExperiments, state: ProjectState): ProjectEvent[] {
  requireCapability(command, 'datasets.unlink', 'removing experiments from the project');
  const linked = requireIdList(command.experimentIds, 'experimentIds').filter((experimentId) =>
    state.linkedExperiments.has(experimentId),
  );
  if (linked.length === 0) return [];
  const { widening } = wideningOf({
    ...command.audience,
    removals: new Map(linked.map((experimentId) => [experimentId, [state.projectId]])),
  });
  if (widening.length > 0 && command.confirmWidening !== true) {
    throw conflict(
      'experiments.unlink-widens-visibility',
      `removing ${widening.length} experiment(s) would make them visible to more people; confirm to go ahead`,
      { widening },
    );
  }
  return [
    {
      type: 'projects.experiment.unlinked.v1',
      data: {
        projectId: state.projectId,
        lab: state.lab,
        experimentIds: linked,
        confirmedWidening: widening.length > 0,
        actor: command.actor,
      },
    },
  ];
}
