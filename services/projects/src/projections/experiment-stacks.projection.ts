import type { StackCreatedData, StackFrame } from '@cairn/contracts';
import { defineProjection } from '@cairn/read-models';

export const EXPERIMENT_STACKS = 'experiment_stacks';

/** One image stack of an experiment; a deleted stack keeps its document, marked deleted. */
export interface StackDocument {
  _id: string;
  experimentId: string;
  name: string;
  frameCount: number;
  width: number;
  height: number;
  pixelType: string;
  channels: number;
  frames: StackFrame[];
  /** Made from this job's image outputs. */
  jobId?: string;
  createdBy: string;
  createdAt: string;
  status: 'present' | 'deleted';
}

/** A stack as it is made (`time`: its event's). */
export function newStackOf(data: StackCreatedData, time: string): Omit<StackDocument, '_id'> {
  return {
    experimentId: data.experimentId,
    name: data.name,
    frameCount: data.frames.length,
    width: data.width,
    height: data.height,
    pixelType: data.pixelType,
    channels: data.channels,
    frames: data.frames,
    ...(data.jobId === undefined ? {} : { jobId: data.jobId }),
    createdBy: data.actor,
    createdAt: time,
    status: 'present',
  };
}

/** Each experiment's stacks, oldest first: the experiment page, the stack viewer. */
export const experimentStacksProjection = defineProjection({
  name: EXPERIMENT_STACKS,
  version: 1,
  indexes: [{ key: { experimentId: 1, status: 1, createdAt: 1, _id: 1 } }],
  on: {
    'projects.stack.created.v1': ({ data, position, time }) => [{ kind: 'replace', id: data.stackId, position, document: newStackOf(data, time) }],
    'projects.stack.renamed.v1': ({ data: { stackId, name }, position }) => [{ kind: 'update', id: stackId, position, update: { $set: { name } }, upsert: false }],
    'projects.stack.deleted.v1': ({ data: { stackId }, position }) => [{ kind: 'update', id: stackId, position, update: { $set: { status: 'deleted' } }, upsert: false }],
  },
});
