import { AckPolicy, DeliverPolicy, DiscardPolicy, nanos, RetentionPolicy, StorageType, type JetStreamManager } from 'nats';
import { WORK_STREAM, WORK_SUBJECT_PREFIX, workConsumerOf, workSubjectOf, type Machine } from '@cairn/contracts';
import { addStreamIfMissing } from './streams';

/**
 * How long a work item a runner has pulled stays its own before the server hands it to another runner.
 * A runner acknowledges right after its claim is answered, so this only covers a runner lost between
 * pulling and claiming (the claim is idempotent: the next runner is told the job is gone).
 */
export const WORK_ACK_WAIT_MS = 30_000;
/** A job id published twice within this window (a retried enqueue) is queued once. */
export const WORK_DUPLICATE_WINDOW_MS = 2 * 60 * 1000;

export interface WorkQueueOptions {
  /** Copies of `CAIRN_WORK` in a JetStream cluster, as `CAIRN_STREAM_REPLICAS` sets for the events stream. */
  replicas?: number;
}

/**
 * Creates the work stream and the shared consumers of the given machines' queues where they are missing.
 * The jobs service (which publishes) and every runner (which pull) call it; each leaves what it finds in
 * place, so they never fight over settings and two of them starting at once is harmless.
 */
export async function ensureWorkQueues(jsm: JetStreamManager, machines: readonly Machine[], options: WorkQueueOptions = {}): Promise<void> {
  await ensureWorkStream(jsm, options.replicas);
  for (const machine of machines) await ensureWorkConsumer(jsm, machine);
}

async function ensureWorkStream(jsm: JetStreamManager, replicas?: number): Promise<void> {
  const existing = await addStreamIfMissing(jsm, {
    name: WORK_STREAM,
    subjects: [`${WORK_SUBJECT_PREFIX}.>`],
    retention: RetentionPolicy.Workqueue,
    storage: StorageType.File,
    discard: DiscardPolicy.Old,
    duplicate_window: nanos(WORK_DUPLICATE_WINDOW_MS),
    ...(replicas === undefined ? {} : { num_replicas: replicas }),
  });
  if (existing && existing.retention !== RetentionPolicy.Workqueue) {
    throw new Error(`stream ${WORK_STREAM} exists with ${existing.retention} retention; the work queues need workqueue retention`);
  }
}

async function ensureWorkConsumer(jsm: JetStreamManager, machine: Machine): Promise<void> {
  const name = workConsumerOf(machine);
  const exists = await jsm.consumers.info(WORK_STREAM, name).then(
    () => true,
    (error: Error) => {
      if (/consumer not found/i.test(error.message)) return false;
      throw error;
    },
  );
  if (exists) return;
  await jsm.consumers
    .add(WORK_STREAM, {
      durable_name: name,
      filter_subject: workSubjectOf(machine),
      ack_policy: AckPolicy.Explicit,
      deliver_policy: DeliverPolicy.All,
      ack_wait: nanos(WORK_ACK_WAIT_MS),
      // A work item is only ever settled by a claim's answer; an unanswered claim (the jobs service is
      // down) keeps it queued however often it is tried.
      max_deliver: -1,
    })
    .catch((error: Error) => {
      if (!/already (exists|in use)/i.test(error.message)) throw error;
    });
}
