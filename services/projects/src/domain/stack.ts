import { conflict, invalidField, notFound, type Decider, type StackEvent } from '@cairn/contracts';
import { requireName } from './fields';
import { requireCapability, type Actor } from './guards';

/** A stack of more frames than this is refused: its frame list travels in one event. */
export const MAX_STACK_FRAMES = 10_000;

/**
 * An image stack of an experiment. Stream: `projects_stack-<stackId>`. Who may change stacks: the caller's
 * capabilities in the projects that link the experiment, taken together (`stacks.write`: the lab guide's
 * "Experimenter: Full access to experiments to the project, including creating/adding them, making stacks
 * and uploads", the facility Member who "can upload data").
 */
export interface StackState {
  status: 'none' | 'present' | 'deleted';
  stackId: string;
  experimentId: string;
  name: string;
}

/** One frame as the application measured it: a page of an image file. */
export interface MeasuredFrame {
  fileId: string;
  page: number;
  width: number;
  height: number;
  pixelType: string;
  channels: number;
}

export interface CreateStack extends Actor {
  type: 'CreateStack';
  stackId: string;
  experimentId: string;
  name: string;
  frames: MeasuredFrame[];
  jobId?: string;
}

export interface RenameStack extends Actor {
  type: 'RenameStack';
  name: string;
}

export interface DeleteStack extends Actor {
  type: 'DeleteStack';
}

export type StackCommand = CreateStack | RenameStack | DeleteStack;

export const stackDecider: Decider<StackCommand, StackState, StackEvent> = {
  initialState: () => ({ status: 'none', stackId: '', experimentId: '', name: '' }),

  decide(command, state) {
    switch (command.type) {
      case 'CreateStack':
        return createStack(command, state);
      case 'RenameStack': {
        const { stackId, experimentId } = requireStack(command, state, 'renaming stacks');
        const name = requireName(command.name);
        return name === state.name ? [] : [{ type: 'projects.stack.renamed.v1', data: { stackId, experimentId, name, actor: command.actor } }];
      }
      case 'DeleteStack': {
        const { stackId, experimentId } = requireStack(command, state, 'deleting stacks');
        return [{ type: 'projects.stack.deleted.v1', data: { stackId, experimentId, actor: command.actor } }];
      }
    }
  },

  evolve(state, event) {
    switch (event.type) {
      case 'projects.stack.created.v1':
        return { status: 'present', stackId: event.data.stackId, experimentId: event.data.experimentId, name: event.data.name };
      case 'projects.stack.renamed.v1':
        return { ...state, name: event.data.name };
      case 'projects.stack.deleted.v1':
        return { ...state, status: 'deleted' };
    }
  },
};

function createStack(command: CreateStack, state: StackState): StackEvent[] {
  requireCapability(command, 'stacks.write', 'making stacks');
  if (state.status !== 'none') throw conflict('stacks.stack-exists', `stack ${command.stackId} already exists`);
  const name = requireName(command.name);
  const { frames } = command;
  if (frames.length === 0) throw invalidField('stacks.frames-required', 'frames', 'must hold at least one image');
  if (frames.length > MAX_STACK_FRAMES) throw invalidField('stacks.frames-too-many', 'frames', `must hold at most ${MAX_STACK_FRAMES} frames`);
  const [first] = frames;
  const differing = frames.findIndex((frame) => frame.width !== first.width || frame.height !== first.height || frame.pixelType !== first.pixelType || frame.channels !== first.channels);
  if (differing >= 0) {
    const frame = frames[differing];
    throw invalidField(
      'stacks.frames-differ',
      'frames',
      `frame ${differing + 1} (file ${frame.fileId}, page ${frame.page + 1}) is ${describe(frame)}, frame 1 is ${describe(first)}: a stack's frames share size and pixel type`,
    );
  }
  return [
    {
      type: 'projects.stack.created.v1',
      data: {
        stackId: command.stackId,
        experimentId: command.experimentId,
        name,
        frames: frames.map(({ fileId, page }) => ({ fileId, page })),
        width: first.width,
        height: first.height,
        pixelType: first.pixelType,
        channels: first.channels,
        ...(command.jobId === undefined ? {} : { jobId: command.jobId }),
        actor: command.actor,
      },
    },
  ];
}

/** A stack that exists and is not deleted, for someone who may change stacks. */
function requireStack(command: Actor, state: StackState, action: string): StackState {
  if (state.status !== 'present') throw notFound('stacks.not-found', 'no such stack');
  requireCapability(command, 'stacks.write', action);
  return state;
}

const describe = (frame: MeasuredFrame) => `${frame.width}×${frame.height} ${frame.pixelType} with ${frame.channels} channel${frame.channels === 1 ? '' : 's'}`;
