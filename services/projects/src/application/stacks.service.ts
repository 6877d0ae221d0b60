import type { Principal } from '@cairn/auth';
import { invalidField, notFound, type Capability, type StackCreatedData } from '@cairn/contracts';
import type { EventStore, FreshnessGate, FreshState } from '@cairn/event-store';
import type { Page } from '@cairn/http';
import { pageBy, type ReadModelCollections, type ReadModelDocument } from '@cairn/read-models';
import { buffer } from 'node:stream/consumers';
import { Readable } from 'node:stream';
import { v7 as uuidv7 } from 'uuid';
import { requireName } from '../domain/fields';
import { requireCapability } from '../domain/guards';
import type { MeasuredFrame } from '../domain/stack';
import { EXPERIMENT_FILES, EXPERIMENT_STACKS, FILE_INDEX, newStackOf, type ExperimentFileDocument, type FileDocument, type StackDocument } from '../projections';
import type { AccessView } from './access-view';
import { BlobNotFoundError, type BlobStore } from './blob-store';
import type { ExperimentsService, ExperimentView } from './experiments.service';
import { blobKey } from './files.service';
import { framesOf, isStackImage, PREVIEW_SIZE, renderFrame, STACK_IMAGE_TYPES, THUMBNAIL_SIZE } from './stack-images';
import { stackCommands } from './streams';

export type StackView = Omit<StackDocument, '_id' | 'status'> & { id: string };

/** Where the frames come from: image files uploaded into the experiment, or a job's image outputs. */
export type StackSource = { fileIds: string[] } | { jobId: string };

const IMAGE_TYPES_SAID = STACK_IMAGE_TYPES.map((type) => `.${type}`).join(', ');

/**
 * Image stacks of experiments: made from frames measured with sharp, listed and shown to whoever sees the
 * experiment, and their thumbnail and frame previews rendered once and kept as derived files
 * (`stacks/<stackId>/...` in the blob store). Who may make, rename and delete them: whoever holds
 * `stacks.write` in a project that links the experiment and that they can read.
 */
export class StacksService {
  private readonly stackCommands: ReturnType<typeof stackCommands>;

  constructor(
    store: EventStore,
    private readonly access: AccessView,
    private readonly collections: ReadModelCollections,
    private readonly blobs: BlobStore,
    private readonly fresh: FreshState,
    private readonly experiments: ExperimentsService,
    /** The read models a stack's frames are found in: the experiment's files, the projects' files, the experiment directory. */
    private readonly sources: FreshnessGate[],
  ) {
    this.stackCommands = stackCommands(store);
  }

  async create(principal: Principal, experimentId: string, input: { name: string } & StackSource) {
    const experiment = await this.visibleNow(principal, experimentId);
    const actor = { actor: principal.userId, actorCapabilities: this.capabilitiesIn(experiment, principal) };
    // Refused before any image is read; the decider decides again.
    requireCapability(actor, 'stacks.write', 'making stacks');
    requireName(input.name);
    const images = 'jobId' in input && input.jobId !== undefined ? await this.jobImages(experiment, input.jobId) : await this.experimentImages(experimentId, 'fileIds' in input ? input.fileIds : []);
    const frames = await measureFrames(this.blobs, images);
    const stackId = uuidv7();
    const outcome = await this.stackCommands(
      stackId,
      { type: 'CreateStack', stackId, experimentId, name: input.name, frames, ...('jobId' in input && input.jobId !== undefined ? { jobId: input.jobId } : {}), ...actor },
      { actor: principal.userId },
    );
    const data = outcome.events[0].data as StackCreatedData;
    return { position: outcome.position, stack: viewOf({ _id: stackId, ...newStackOf(data, outcome.time!) }) };
  }

  async rename(principal: Principal, experimentId: string, stackId: string, name: string) {
    const experiment = await this.visibleNow(principal, experimentId);
    const stack = await this.requireStack(experimentId, stackId);
    const outcome = await this.stackCommands(stackId, { type: 'RenameStack', name, actor: principal.userId, actorCapabilities: this.capabilitiesIn(experiment, principal) }, { actor: principal.userId });
    const renamed = outcome.events.find((event) => event.type === 'projects.stack.renamed.v1');
    return { position: outcome.position, stack: viewOf({ ...stack, name: renamed ? (renamed.data as { name: string }).name : stack.name }) };
  }

  async delete(principal: Principal, experimentId: string, stackId: string) {
    const experiment = await this.visibleNow(principal, experimentId);
    const stack = await this.requireStack(experimentId, stackId);
    const outcome = await this.stackCommands(stackId, { type: 'DeleteStack', actor: principal.userId, actorCapabilities: this.capabilitiesIn(experiment, principal) }, { actor: principal.userId });
    // Its derived files go with it (deleting is idempotent: ones never rendered are no trouble).
    const derived = [thumbnailKey(stackId), ...stack.frames.map((_frame, index) => previewKey(stackId, index))];
    for (const key of derived) await this.blobs.delete(key);
    return { position: outcome.position };
  }

  async list(principal: Principal, experimentId: string, query: { limit: number; cursor?: string }): Promise<Page<StackView>> {
    await this.experiments.requireVisible(principal, experimentId);
    const collection = await this.collections.resolve<ReadModelDocument>(EXPERIMENT_STACKS);
    const page = await pageBy<StackDocument>(collection, { experimentId, status: 'present' }, 'createdAt', query.limit, query.cursor);
    return { items: page.items.map(viewOf), nextCursor: page.nextCursor };
  }

  async show(principal: Principal, experimentId: string, stackId: string): Promise<StackView> {
    await this.experiments.requireVisible(principal, experimentId);
    return viewOf(await this.requireStack(experimentId, stackId));
  }

  /** The stack's first frame, small; rendered on first asking and kept. */
  async thumbnail(principal: Principal, experimentId: string, stackId: string): Promise<Buffer> {
    const stack = await this.show(principal, experimentId, stackId);
    return this.derived(thumbnailKey(stackId), stack.frames[0], THUMBNAIL_SIZE);
  }

  /** Frame `index` (0-based), at most 1024 pixels on a side; rendered on first asking and kept. */
  async preview(principal: Principal, experimentId: string, stackId: string, index: number): Promise<Buffer> {
    const stack = await this.show(principal, experimentId, stackId);
    const frame = stack.frames[index];
    if (!Number.isSafeInteger(index) || frame === undefined) throw notFound('stacks.frame-not-found', `stack ${stackId} has frames 0 to ${stack.frameCount - 1}`);
    return this.derived(previewKey(stackId, index), frame, PREVIEW_SIZE);
  }

  private async derived(key: string, frame: { fileId: string; page: number }, size: number): Promise<Buffer> {
    return keptRendering(this.blobs, key, () => this.keyOfFile(frame.fileId), frame.page, size);
  }

  /** The experiment, seen by the caller as the store held it when the command arrived. */
  private async visibleNow(principal: Principal, experimentId: string): Promise<ExperimentView> {
    await this.fresh.of(this.access, ...this.sources);
    return this.experiments.requireVisible(principal, experimentId);
  }

  /** What the caller may do in the projects that link the experiment and that they read, taken together. */
  private capabilitiesIn(experiment: ExperimentView, principal: Principal): Capability[] {
    return [...new Set(experiment.projects.flatMap((projectId) => this.access.capabilitiesOf(projectId, principal.userId)))];
  }

  private async requireStack(experimentId: string, stackId: string): Promise<StackDocument> {
    const stack = (await (await this.collections.resolve<ReadModelDocument>(EXPERIMENT_STACKS)).findOne({ _id: stackId })) as StackDocument | null;
    if (!stack || stack.experimentId !== experimentId || stack.status !== 'present') throw notFound('stacks.not-found', `no stack ${stackId} in the experiment`);
    return stack;
  }

  private async experimentImages(experimentId: string, fileIds: unknown): Promise<{ fileId: string; key: string }[]> {
    if (!Array.isArray(fileIds) || fileIds.length === 0) throw invalidField('stacks.source-required', 'fileIds', 'name the image files of the experiment, or a jobId');
    const collection = await this.collections.resolve<ReadModelDocument>(EXPERIMENT_FILES);
    const documents = await Promise.all(fileIds.map((_id) => (typeof _id === 'string' ? (collection.findOne({ _id }) as Promise<ExperimentFileDocument | null>) : null)));
    return documents.map((document, index) => {
      if (!document || document.experimentId !== experimentId || document.status !== 'present') {
        throw invalidField('stacks.file-not-in-experiment', `fileIds.${index}`, 'is not a file of the experiment');
      }
      if (!isStackImage(document.path)) throw invalidField('stacks.not-an-image', `fileIds.${index}`, `is not an image (${IMAGE_TYPES_SAID})`);
      return { fileId: document._id, key: blobKey(document.uploadedThrough, document._id) };
    });
  }

  /** The job's image outputs, by path, in whichever project linking the experiment (and read by the caller) ran it. */
  private async jobImages(experiment: ExperimentView, jobId: string): Promise<{ fileId: string; key: string }[]> {
    const collection = await this.collections.resolve<ReadModelDocument>(FILE_INDEX);
    for (const projectId of experiment.projects) {
      const outputs = (await collection.find({ projectId, status: 'present', folder: `processed/${jobId}` }).sort({ path: 1 }).toArray()) as unknown as FileDocument[];
      const images = outputs.filter((output) => isStackImage(output.path));
      if (images.length > 0) return images.map((image) => ({ fileId: image._id, key: blobKey(projectId, image._id) }));
    }
    throw invalidField('stacks.job-has-no-images', 'jobId', `has no image outputs (${IMAGE_TYPES_SAID}) in a project that links the experiment`);
  }

  /** Where a frame's file is stored: an experiment's file with the project it came through, a job's output with its project. */
  private async keyOfFile(fileId: string): Promise<string> {
    const ofExperiment = (await (await this.collections.resolve<ReadModelDocument>(EXPERIMENT_FILES)).findOne({ _id: fileId })) as ExperimentFileDocument | null;
    if (ofExperiment) return blobKey(ofExperiment.uploadedThrough, fileId);
    const ofProject = (await (await this.collections.resolve<ReadModelDocument>(FILE_INDEX)).findOne({ _id: fileId })) as FileDocument | null;
    if (ofProject) return blobKey(ofProject.projectId, fileId);
    throw notFound('stacks.frame-file-gone', `the file of this frame (${fileId}) is no longer there`);
  }

}

/** Images read and measured at once: enough to overlap reading the store with sharp's work, few enough to bound memory. */
const MEASURED_AT_ONCE = 8;

/** Every page of each image, in order, as frames measured from the bytes in the store. */
export async function measureFrames(blobs: BlobStore, images: { fileId: string; key: string }[]): Promise<MeasuredFrame[]> {
  const measured: MeasuredFrame[][] = new Array(images.length);
  let next = 0;
  const worker = async () => {
    while (next < images.length) {
      const index = next++;
      const { fileId, key } = images[index];
      measured[index] = await framesOf(fileId, await buffer((await blobs.get(key)).content));
    }
  };
  await Promise.all(Array.from({ length: Math.min(MEASURED_AT_ONCE, images.length) }, worker));
  return measured.flat();
}

/** A derived PNG under `key`: the kept one, or rendered now from a page of the source and kept. */
export async function keptRendering(blobs: BlobStore, key: string, sourceKey: () => Promise<string>, page: number, size: number): Promise<Buffer> {
  try {
    return await buffer((await blobs.get(key)).content);
  } catch (error) {
    if (!(error instanceof BlobNotFoundError)) throw error;
  }
  const rendered = await renderFrame(await buffer((await blobs.get(await sourceKey())).content), page, size);
  await blobs.put(key, Readable.from([rendered]));
  return rendered;
}

const thumbnailKey = (stackId: string) => `stacks/${stackId}/thumbnail`;
const previewKey = (stackId: string, index: number) => `stacks/${stackId}/frame-${index}`;

function viewOf(stack: StackDocument): StackView {
  const { experimentId, name, frameCount, width, height, pixelType, channels, frames, jobId, createdBy, createdAt } = stack;
  return { id: stack._id, experimentId, name, frameCount, width, height, pixelType, channels, frames, ...(jobId === undefined ? {} : { jobId }), createdBy, createdAt };
}
