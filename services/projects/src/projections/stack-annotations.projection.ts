import type { AnnotationPin, Mention, StackAnnotatedData, StackAnnotationEditedData } from '@cairn/contracts';
import type { Page } from '@cairn/http';
import { defineProjection, pageBy, type ReadModelCollections, type ReadModelDocument } from '@cairn/read-models';

export const STACK_ANNOTATIONS = 'stack_annotations';

/** One version of an annotation as its author wrote it. */
export interface AnnotationVersion {
  version: number;
  body: string;
  pin?: AnnotationPin;
  at: string;
}

/** An annotation on a frame of a stack: its latest version, and every version kept in order. */
export interface AnnotationDocument {
  _id: string;
  stackId: string;
  experimentId: string;
  /** The project it was written through: the one whose activity lists it. */
  projectId: string;
  frame: number;
  version: number;
  body: string;
  pin?: AnnotationPin;
  mentions: Mention[];
  author: string;
  createdAt: string;
  editedAt?: string;
  versions: AnnotationVersion[];
}

const versionOf = ({ version, body, pin }: StackAnnotatedData | StackAnnotationEditedData, at: string): AnnotationVersion => ({ version, body, ...(pin === undefined ? {} : { pin }), at });

/** An annotation as it is first written (`time`: its event's). */
export function newAnnotationOf(data: StackAnnotatedData, time: string): Omit<AnnotationDocument, '_id'> {
  const { stackId, experimentId, projectId, frame, version, body, pin, mentions, actor } = data;
  return { stackId, experimentId, projectId, frame, version, body, ...(pin === undefined ? {} : { pin }), mentions, author: actor, createdAt: time, versions: [versionOf(data, time)] };
}

/**
 * Each stack's annotations: the stack viewer draws and lists them, for whoever sees the experiment. A
 * deleted stack's are left here, unreachable: its stack answers 404.
 */
export const stackAnnotationsProjection = defineProjection({
  name: STACK_ANNOTATIONS,
  version: 1,
  indexes: [{ key: { stackId: 1, createdAt: 1, _id: 1 } }],
  on: {
    'projects.stack.annotated.v1': ({ data, position, time }) => [{ kind: 'replace', id: data.annotationId, position, document: newAnnotationOf(data, time) }],
    'projects.stack.annotation-edited.v1': ({ data, position, time }) => {
      const { annotationId, version, body, pin, mentions } = data;
      const latest = { $set: { version, body, mentions, editedAt: time, ...(pin === undefined ? {} : { pin }) }, $push: { versions: versionOf(data, time) } };
      return [{ kind: 'update', id: annotationId, position, update: pin === undefined ? { ...latest, $unset: { pin: '' } } : latest, upsert: false }];
    },
  },
});

/** A stack's annotations, oldest first: served by the `{ stackId, createdAt, _id }` index above. */
export async function annotationsPage(collections: ReadModelCollections, stackId: string, limit: number, cursor?: string): Promise<Page<AnnotationDocument>> {
  return pageBy<AnnotationDocument>(await collections.resolve<ReadModelDocument>(STACK_ANNOTATIONS), { stackId }, 'createdAt', limit, cursor);
}

/** One annotation, by its id alone. */
export async function annotationById(collections: ReadModelCollections, annotationId: string): Promise<AnnotationDocument | null> {
  return (await (await collections.resolve<ReadModelDocument>(STACK_ANNOTATIONS)).findOne({ _id: annotationId })) as AnnotationDocument | null;
}
