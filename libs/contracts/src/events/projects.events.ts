import { closedObject, type EmittedBy } from './schema-parts';
import { defineEvent, type EventDefinition } from '../event-definition';
import type { Role } from '../roles';
import { COMMENT_BODY_MAX_LENGTH, type Mention } from './logbook.events';

/**
 * Events of the projects context. Streams (one per aggregate instance):
 * - `projects_project-<projectId>`: created, updated, deleted, experiment linked / unlinked. Links live
 *   in the project so that a bulk link or unlink is one atomic commit under one expected version.
 * - `projects_experiment-<experimentId>`: experiment created (a lab-level dataset).
 * - `projects_stack-<stackId>`: an image stack of an experiment made, renamed, deleted, and its frames
 *   annotated (so an annotation is checked against the frames and size the stack was made with).
 * - `projects_filespace-<projectId>`: file added, file added to an experiment, deletion requested /
 *   approved / rejected, file deleted.
 *   Deletion requests live with the file index so that an approval and the deletions it causes are one
 *   commit, and a request can see which files exist, are already deleted or are awaiting another decision.
 */

/** The name of a registered role scheme: `facility` or `lab`. */
export type ProjectScheme = string;
export type FileKind = 'raw' | 'processed';

export interface ProjectCreatedData {
  projectId: string;
  lab: string;
  name: string;
  description: string;
  slug: string;
  scheme: ProjectScheme;
  /** Schemes with a base level only (lab): the role every lab member has without an explicit permission. */
  baseLevel?: Role;
  /** Becomes the project's owner. */
  createdBy: string;
  actor: string;
}

/** Carries only the fields that changed. */
export interface ProjectUpdatedData {
  projectId: string;
  name?: string;
  description?: string;
  actor: string;
}

export interface ProjectDeletedData {
  projectId: string;
  lab: string;
  slug: string;
  actor: string;
}

export interface ExperimentCreatedData {
  experimentId: string;
  lab: string;
  name: string;
  description: string;
  actor: string;
}

/** One event per bulk call, carrying every experiment newly linked by it (already linked ones are left out). */
export interface ExperimentsLinkedData {
  projectId: string;
  lab: string;
  experimentIds: string[];
  actor: string;
}

/** One event per bulk call, carrying every experiment unlinked by it (ones not linked are left out). */
export interface ExperimentsUnlinkedData {
  projectId: string;
  lab: string;
  experimentIds: string[];
  /** True when the caller confirmed that the removal makes some experiments visible to more people. */
  confirmedWidening: boolean;
  actor: string;
}

export interface FileAddedData {
  projectId: string;
  fileId: string;
  /** Relative to the project's file space: `raw/...` or `processed/<jobId>/...`. */
  path: string;
  kind: FileKind;
  size: number;
  sha256: string;
  addedBy: string;
  /** The job that produced a processed file. */
  jobId?: string;
  actor: string;
}

/**
 * A file uploaded into an experiment through a project that links it. It is recorded in that project's
 * file space, so its four-eyes deletion is decided by that project's rights; who sees it follows the
 * experiment ("an experiment's data is seen exactly by those who can see the experiment").
 */
export interface ExperimentFileAddedData {
  /** The project it was uploaded through. */
  projectId: string;
  experimentId: string;
  fileId: string;
  /** Relative to the experiment, e.g. `frames/f001.tif`. */
  path: string;
  size: number;
  sha256: string;
  addedBy: string;
  actor: string;
}

/** One frame of a stack: a page of an image file of the experiment, or of a job's outputs (page 0 of a single image). */
export interface StackFrame {
  fileId: string;
  page: number;
}

/**
 * An ordered set of image frames in an experiment, all of one size and pixel type. Made from image files
 * uploaded into the experiment, or from a job's image outputs (`jobId`).
 */
export interface StackCreatedData {
  stackId: string;
  experimentId: string;
  name: string;
  frames: StackFrame[];
  width: number;
  height: number;
  /** The samples' type: `uint8`, `int8`, `uint16`, `int16`, `uint32`, `int32`, `float32` or `float64`. */
  pixelType: string;
  channels: number;
  jobId?: string;
  actor: string;
}

export interface StackRenamedData {
  stackId: string;
  experimentId: string;
  name: string;
  actor: string;
}

/** The stack is gone; the files its frames came from stay. */
export interface StackDeletedData {
  stackId: string;
  experimentId: string;
  actor: string;
}

/** Where on a frame an annotation is pinned, in the frame's own pixels (0,0 the top left corner). */
export type AnnotationPin = { kind: 'point'; x: number; y: number } | { kind: 'rectangle'; x: number; y: number; width: number; height: number };

/**
 * A note on one frame of a stack ("comment/annotate stacks" in the lab guide), written through a project
 * that links the stack's experiment: the project whose activity lists it.
 */
export interface StackAnnotatedData {
  stackId: string;
  experimentId: string;
  projectId: string;
  annotationId: string;
  /** The frame's index in the stack, from 0. */
  frame: number;
  /** Always 1: the annotation as first written. */
  version: number;
  /** Markdown, at most 10,000 characters. */
  body: string;
  /** Absent: the annotation is on the whole frame. */
  pin?: AnnotationPin;
  /** Everyone the body mentions who is in the lab directory, as job comments do. */
  mentions: Mention[];
  actor: string;
}

/** The author revised their annotation: its whole body, pin and mentions as of this edit (`version` 2 for the first edit); earlier versions stay in the stream. */
export type StackAnnotationEditedData = StackAnnotatedData;

export interface DeletionRequestedFile {
  fileId: string;
  path: string;
  kind: FileKind;
}

export interface DeletionRequestedData {
  projectId: string;
  requestId: string;
  files: DeletionRequestedFile[];
  /** `raw` when any file is raw: deciding it then needs the raw capabilities. */
  scope: FileKind;
  reason: string;
  actor: string;
}

export interface DeletionApprovedData {
  projectId: string;
  requestId: string;
  requestedBy: string;
  actor: string;
}

export interface DeletionRejectedData {
  projectId: string;
  requestId: string;
  requestedBy: string;
  reason?: string;
  actor: string;
}

/** The file's record stays in the history; only its presence in the file space ends. */
export interface FileDeletedData {
  projectId: string;
  fileId: string;
  path: string;
  kind: FileKind;
  requestId: string;
  actor: string;
}

const id = { type: 'string', minLength: 1 } as const;
const ids = { type: 'array', items: id, minItems: 1 } as const;
const fileKind = { type: 'string', enum: ['raw', 'processed'] } as const;
const schemeOrRoleName = { type: 'string', pattern: '^[a-z][a-z0-9-]*$' } as const;

/** `aggregate` names the stream's aggregate where it is not the type's second segment (see EventRegistry). */
const inProjectStream = { aggregate: 'project' } as const;
const inFileSpaceStream = { aggregate: 'filespace' } as const;

export const projectCreatedV1 = defineEvent<ProjectCreatedData>()({
  type: 'projects.project.created.v1',
  description: 'A lab member created a project; they become its owner.',
  schema: closedObject(
    {
      projectId: id,
      lab: id,
      name: { type: 'string', minLength: 1, maxLength: 120 },
      description: { type: 'string', maxLength: 5000 },
      slug: { type: 'string', pattern: '^[a-z0-9]+(-[a-z0-9]+)*$', maxLength: 60 },
      scheme: schemeOrRoleName,
      createdBy: id,
      actor: id,
    },
    { baseLevel: schemeOrRoleName },
  ),
});

export const projectUpdatedV1 = defineEvent<ProjectUpdatedData>()({
  type: 'projects.project.updated.v1',
  description: "The project's name or description changed.",
  schema: {
    ...closedObject(
      { projectId: id, actor: id },
      { name: { type: 'string', minLength: 1, maxLength: 120 }, description: { type: 'string', maxLength: 5000 } },
    ),
    anyOf: [{ required: ['name'] }, { required: ['description'] }],
  },
});

export const projectDeletedV1 = defineEvent<ProjectDeletedData>()({
  type: 'projects.project.deleted.v1',
  description: 'The project was deleted; it refuses further commands and its history is kept.',
  schema: closedObject({ projectId: id, lab: id, slug: { type: 'string' }, actor: id }),
});

export const experimentCreatedV1 = defineEvent<ExperimentCreatedData>()({
  type: 'projects.experiment.created.v1',
  description: 'A lab member created an experiment (a lab-level dataset).',
  schema: closedObject({
    experimentId: id,
    lab: id,
    name: { type: 'string', minLength: 1, maxLength: 120 },
    description: { type: 'string', maxLength: 5000 },
    actor: id,
  }),
});

export const experimentsLinkedV1 = {
  ...defineEvent<ExperimentsLinkedData>()({
    type: 'projects.experiment.linked.v1',
    description: 'Experiments of the lab were added to the project in one bulk call.',
    schema: closedObject({ projectId: id, lab: id, experimentIds: ids, actor: id }),
  }),
  ...inProjectStream,
};

export const experimentsUnlinkedV1 = {
  ...defineEvent<ExperimentsUnlinkedData>()({
    type: 'projects.experiment.unlinked.v1',
    description: 'Experiments were removed from the project in one bulk call.',
    schema: closedObject({ projectId: id, lab: id, experimentIds: ids, confirmedWidening: { type: 'boolean' }, actor: id }),
  }),
  ...inProjectStream,
};

export const fileAddedV1 = {
  ...defineEvent<FileAddedData>()({
    type: 'projects.file.added.v1',
    description: "A raw upload or a job's processed output was recorded in the project's file space.",
    schema: closedObject(
      {
        projectId: id,
        fileId: id,
        path: { type: 'string', minLength: 1, maxLength: 1024 },
        kind: fileKind,
        size: { type: 'integer', minimum: 0 },
        sha256: { type: 'string', pattern: '^[0-9a-f]{64}$' },
        addedBy: id,
        actor: id,
      },
      { jobId: id },
    ),
  }),
  ...inFileSpaceStream,
};

export const experimentFileAddedV1 = {
  ...defineEvent<ExperimentFileAddedData>()({
    type: 'projects.file.added-to-experiment.v1',
    description: "An upload into an experiment was recorded in the file space of the project it was uploaded through (raw data).",
    schema: closedObject({
      projectId: id,
      experimentId: id,
      fileId: id,
      path: { type: 'string', minLength: 1, maxLength: 1024 },
      size: { type: 'integer', minimum: 0 },
      sha256: { type: 'string', pattern: '^[0-9a-f]{64}$' },
      addedBy: id,
      actor: id,
    }),
  }),
  ...inFileSpaceStream,
};

const stackName = { type: 'string', minLength: 1, maxLength: 120 } as const;

export const stackCreatedV1 = defineEvent<StackCreatedData>()({
  type: 'projects.stack.created.v1',
  description: 'Someone made an image stack in an experiment, from its image files or from a job\'s image outputs.',
  schema: closedObject(
    {
      stackId: id,
      experimentId: id,
      name: stackName,
      frames: { type: 'array', minItems: 1, items: closedObject({ fileId: id, page: { type: 'integer', minimum: 0 } }) },
      width: { type: 'integer', minimum: 1 },
      height: { type: 'integer', minimum: 1 },
      pixelType: { type: 'string', enum: ['uint8', 'int8', 'uint16', 'int16', 'uint32', 'int32', 'float32', 'float64'] },
      channels: { type: 'integer', minimum: 1, maximum: 4 },
      actor: id,
    },
    { jobId: id },
  ),
});

export const stackRenamedV1 = defineEvent<StackRenamedData>()({
  type: 'projects.stack.renamed.v1',
  description: 'A stack got a new name.',
  schema: closedObject({ stackId: id, experimentId: id, name: stackName, actor: id }),
});

export const stackDeletedV1 = defineEvent<StackDeletedData>()({
  type: 'projects.stack.deleted.v1',
  description: 'A stack was deleted; the files its frames came from stay.',
  schema: closedObject({ stackId: id, experimentId: id, actor: id }),
});

const coordinate = { type: 'integer', minimum: 0 } as const;
const extent = { type: 'integer', minimum: 1 } as const;
const annotationPin = {
  oneOf: [
    closedObject({ kind: { const: 'point' }, x: coordinate, y: coordinate }),
    closedObject({ kind: { const: 'rectangle' }, x: coordinate, y: coordinate, width: extent, height: extent }),
  ],
} as const;
const annotationBody = { type: 'string', minLength: 1, maxLength: COMMENT_BODY_MAX_LENGTH } as const;
const annotationMentions = { type: 'array', uniqueItems: true, items: closedObject({ userId: id, username: id }) } as const;

/** An annotation's every field; `version` 1 when first written, more with each edit. */
const annotationSchema = (version: Record<string, unknown>) =>
  closedObject(
    {
      stackId: id,
      experimentId: id,
      projectId: id,
      annotationId: id,
      frame: { type: 'integer', minimum: 0 },
      version,
      body: annotationBody,
      mentions: annotationMentions,
      actor: id,
    },
    { pin: annotationPin },
  );

export const stackAnnotatedV1 = defineEvent<StackAnnotatedData>()({
  type: 'projects.stack.annotated.v1',
  description: 'Someone with stacks.annotate annotated a frame of a stack, optionally pinned to a point or a rectangle of it; the people it mentions are listed by user id.',
  schema: annotationSchema({ const: 1 }),
});

export const stackAnnotationEditedV1 = defineEvent<StackAnnotationEditedData>()({
  type: 'projects.stack.annotation-edited.v1',
  description: 'The author of an annotation revised it (its whole new body, pin and mentions); earlier versions are kept.',
  schema: annotationSchema({ type: 'integer', minimum: 2 }),
});

export const deletionRequestedV1 = {
  ...defineEvent<DeletionRequestedData>()({
    type: 'projects.deletion.requested.v1',
    description: 'Someone asked for files to be deleted; someone else must approve.',
    schema: closedObject({
      projectId: id,
      requestId: id,
      files: {
        type: 'array',
        minItems: 1,
        items: closedObject({ fileId: id, path: { type: 'string', minLength: 1 }, kind: fileKind }),
      },
      scope: fileKind,
      reason: { type: 'string', minLength: 1, maxLength: 2000 },
      actor: id,
    }),
  }),
  ...inFileSpaceStream,
};

export const deletionApprovedV1 = {
  ...defineEvent<DeletionApprovedData>()({
    type: 'projects.deletion.approved.v1',
    description: 'A second person approved a deletion request; its files are deleted in the same commit.',
    schema: closedObject({ projectId: id, requestId: id, requestedBy: id, actor: id }),
  }),
  ...inFileSpaceStream,
};

export const deletionRejectedV1 = {
  ...defineEvent<DeletionRejectedData>()({
    type: 'projects.deletion.rejected.v1',
    description: 'A second person rejected a deletion request; its files stay.',
    schema: closedObject(
      { projectId: id, requestId: id, requestedBy: id, actor: id },
      { reason: { type: 'string', maxLength: 2000 } },
    ),
  }),
  ...inFileSpaceStream,
};

export const fileDeletedV1 = {
  ...defineEvent<FileDeletedData>()({
    type: 'projects.file.deleted.v1',
    description: 'A file left the file space through an approved deletion request; its record stays in history.',
    schema: closedObject({ projectId: id, fileId: id, path: { type: 'string', minLength: 1 }, kind: fileKind, requestId: id, actor: id }),
  }),
  ...inFileSpaceStream,
};

export const projectsEvents = [
  projectCreatedV1,
  projectUpdatedV1,
  projectDeletedV1,
  experimentCreatedV1,
  experimentsLinkedV1,
  experimentsUnlinkedV1,
  fileAddedV1,
  experimentFileAddedV1,
  stackCreatedV1,
  stackRenamedV1,
  stackDeletedV1,
  stackAnnotatedV1,
  stackAnnotationEditedV1,
  deletionRequestedV1,
  deletionApprovedV1,
  deletionRejectedV1,
  fileDeletedV1,
] as const satisfies readonly EventDefinition[];

/** The `{ type, data }` a decider emits for one definition. */

export type ProjectEvent = EmittedBy<
  typeof projectCreatedV1 | typeof projectUpdatedV1 | typeof projectDeletedV1 | typeof experimentsLinkedV1 | typeof experimentsUnlinkedV1
>;
export type ExperimentEvent = EmittedBy<typeof experimentCreatedV1>;
export type StackEvent = EmittedBy<typeof stackCreatedV1 | typeof stackRenamedV1 | typeof stackDeletedV1 | typeof stackAnnotatedV1 | typeof stackAnnotationEditedV1>;
export type FileSpaceEvent = EmittedBy<
  | typeof fileAddedV1
  | typeof experimentFileAddedV1
  | typeof deletionRequestedV1
  | typeof deletionApprovedV1
  | typeof deletionRejectedV1
  | typeof fileDeletedV1
>;
