import { ALL_MACHINES, workSubjectOf, type JobRequestedData, type WorkItem } from '@cairn/contracts';
import { ensureWorkQueues } from '@cairn/messaging';
import type { Reactor } from '@cairn/runtime';
import type { NatsConnection } from 'nats';

const ensured = new WeakMap<NatsConnection, Promise<void>>();

/** The work queues exist once per connection; a failed attempt is tried again with the next batch. */
function workQueuesOn(nc: NatsConnection, replicas?: number): Promise<void> {
  let ready = ensured.get(nc);
  if (!ready) {
    ready = nc.jetstreamManager().then((jsm) => ensureWorkQueues(jsm, ALL_MACHINES, { replicas }));
    ready.catch(() => ensured.delete(nc));
    ensured.set(nc, ready);
  }
  return ready;
}

/**
 * "Queued on the work queue of its machine type", without a dual write: the request is appended first,
 * and this reactor consumes it and publishes the work item with `Nats-Msg-Id` = job id, so a redelivered
 * event is queued once (within the work stream's duplicate window; a later duplicate finds the job
 * claimed and is told it is gone). A job cancelled while queued stays on the queue until a runner finds
 * it gone.
 */
export const workQueueReactor: Reactor = {
  name: 'jobs-work-queue',
  categories: ['jobs_job'],
  async react(events, runtime) {
    const requests = events.filter((event) => event.type === 'jobs.job.requested.v1');
    if (requests.length === 0) return;
    const { nc } = runtime;
    await workQueuesOn(nc, runtime.config.streamReplicas);
    const js = nc.jetstream();
    for (const event of requests) {
      const { jobId, projectId, machine } = event.data as JobRequestedData;
      const item: WorkItem = { jobId, projectId };
      await js.publish(workSubjectOf(machine), JSON.stringify(item), { msgID: jobId });
    }
  },
};
