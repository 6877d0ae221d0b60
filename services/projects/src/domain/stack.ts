import {
  conflict,
  forbidden,
  invalidField,
  mentionsIn,
  notFound,
  requireMarkdown,
  COMMENT_BODY_MAX_LENGTH,
  type AnnotationPin,
  type Decider,
  type LabDirectory,
  type StackEvent,
} from '@cairn/contracts';
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
  frameCount: number;
  width: number;
  height: number;
  annotations: ReadonlyMap<string, AnnotationState>;
}

/** The latest version of an annotation, as its author may revise it. */
export interface AnnotationState {
  projectId: string;
  frame: number;
  author: string;
  version: number;
  body: string;
  pin?: AnnotationPin;
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

/**
 * A note on frame `frame` (from 0), through `projectId`, a project linking the experiment: the caller's
 * capabilities there decide, and its activity lists the annotation.
 */
export interface AnnotateFrame extends Actor {
  type: 'AnnotateFrame';
  annotationId: string;
  projectId: string;
  frame: number;
  body: string;
  pin?: AnnotationPin;
  directory: LabDirectory;
}

/** The author's whole new body and pin (absent: the whole frame). */
export interface EditAnnotation extends Actor {
  type: 'EditAnnotation';
  annotationId: string;
  body: string;
  pin?: AnnotationPin;
  directory: LabDirectory;
}

export type StackCommand = CreateStack | RenameStack | DeleteStack | AnnotateFrame | EditAnnotation;

export const stackDecider: Decider<StackCommand, StackState, StackEvent> = {
  initialState: () => ({ status: 'none', stackId: '', experimentId: '', name: '', frameCount: 0, width: 0, height: 0, annotations: new Map() }),

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
      case 'AnnotateFrame':
        return annotate(command, state);
      case 'EditAnnotation':
        return editAnnotation(command, state);
    }
  },

  evolve(state, event) {
    switch (event.type) {
      case 'projects.stack.created.v1': {
        const { stackId, experimentId, name, frames, width, height } = event.data;
        return { status: 'present', stackId, experimentId, name, frameCount: frames.length, width, height, annotations: new Map() };
      }
      case 'projects.stack.renamed.v1':
        return { ...state, name: event.data.name };
      case 'projects.stack.deleted.v1':
        return { ...state, status: 'deleted' };
      case 'projects.stack.annotated.v1':
      case 'projects.stack.annotation-edited.v1': {
        const { annotationId, projectId, frame, version, body, pin, actor } = event.data;
        const author = state.annotations.get(annotationId)?.author ?? actor;
        const annotation: AnnotationState = { projectId, frame, author, version, body, ...(pin === undefined ? {} : { pin }) };
        return { ...state, annotations: new Map(state.annotations).set(annotationId, annotation) };
      }
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

/** A stack that exists and is not deleted, for someone who may change stacks (or, `capability`, annotate them). */
function requireStack(command: Actor, state: StackState, action: string, capability = 'stacks.write'): StackState {
  if (state.status !== 'present') throw notFound('stacks.not-found', 'no such stack');
  requireCapability(command, capability, action);
  return state;
}

function annotate(command: AnnotateFrame, state: StackState): StackEvent[] {
  const { stackId, experimentId } = requireStack(command, state, 'annotating stacks', 'stacks.annotate');
  if (state.annotations.has(command.annotationId)) throw conflict('stacks.annotation-exists', `annotation ${command.annotationId} already exists`);
  const { frame } = command;
  if (!Number.isSafeInteger(frame) || frame < 0 || frame >= state.frameCount) {
    throw invalidField('stacks.frame-out-of-range', 'frame', `must be a frame of the stack, 0 to ${state.frameCount - 1}`);
  }
  const body = requireMarkdown(command.body, 'body', COMMENT_BODY_MAX_LENGTH);
  const pin = command.pin === undefined ? {} : { pin: requirePinOnFrame(command.pin, state) };
  return [
    {
      type: 'projects.stack.annotated.v1',
      data: { stackId, experimentId, projectId: command.projectId, annotationId: command.annotationId, frame, version: 1, body, ...pin, mentions: mentionsIn(body, command.directory), actor: command.actor },
    },
  ];
}

/** Only the author revises an annotation, whatever their role; the same body and pin again change nothing. */
function editAnnotation(command: EditAnnotation, state: StackState): StackEvent[] {
  const { stackId, experimentId } = requireStack(command, state, 'annotating stacks', 'stacks.annotate');
  const annotation = state.annotations.get(command.annotationId);
  if (!annotation) throw notFound('stacks.annotation-not-found', `there is no annotation ${command.annotationId} on this stack`);
  if (annotation.author !== command.actor) throw forbidden('stacks.annotation-author-only', 'only the author of an annotation may edit it', { annotationId: command.annotationId });
  const body = requireMarkdown(command.body, 'body', COMMENT_BODY_MAX_LENGTH);
  const pin = command.pin === undefined ? undefined : requirePinOnFrame(command.pin, state);
  if (body === annotation.body && JSON.stringify(pin) === JSON.stringify(annotation.pin)) return [];
  const { projectId, frame } = annotation;
  return [
    {
      type: 'projects.stack.annotation-edited.v1',
      data: {
        stackId,
        experimentId,
        projectId,
        annotationId: command.annotationId,
        frame,
        version: annotation.version + 1,
        body,
        ...(pin === undefined ? {} : { pin }),
        mentions: mentionsIn(body, command.directory),
        actor: command.actor,
      },
    },
  ];
}

/** A point on the frame, or a rectangle of at least one pixel wholly inside it, in whole pixels. */
function requirePinOnFrame(pin: AnnotationPin, { width, height }: StackState): AnnotationPin {
  const within = (value: unknown, limit: number, field: string, least = 0) => {
    if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < least || value > limit) {
      throw invalidField('stacks.pin-outside-frame', `pin.${field}`, `must be a whole number of pixels from ${least} to ${limit} (the frame is ${width}×${height})`);
    }
    return value;
  };
  if (pin.kind === 'point') return { kind: 'point', x: within(pin.x, width - 1, 'x'), y: within(pin.y, height - 1, 'y') };
  if (pin.kind === 'rectangle') {
    const x = within(pin.x, width - 1, 'x');
    const y = within(pin.y, height - 1, 'y');
    return { kind: 'rectangle', x, y, width: within(pin.width, width - x, 'width', 1), height: within(pin.height, height - y, 'height', 1) };
  }
  throw invalidField('stacks.pin-kind', 'pin.kind', 'must be point or rectangle');
}

const describe = (frame: MeasuredFrame) => `${frame.width}×${frame.height} ${frame.pixelType} with ${frame.channels} channel${frame.channels === 1 ? '' : 's'}`;
