import { foldEvents, type CairnEvent, type JobEvent, type JobRequestedData } from '@cairn/contracts';
import { jobDecider, type JobState, type JobStatus } from '../domain/job';

/** One change of a job's status: "the status with a timeline of every change (state, time, who or which runner, message)". */
export interface TimelineEntry {
  state: JobStatus;
  at: string;
  /** The person, or the runner, whose act or report changed it. */
  by: { userId: string } | { runnerId: string };
  message: string;
}

/** A job as its own stream tells it: the folded state with the times and actors of its changes. */
export interface JobRecord {
  state: JobState;
  request: JobRequestedData;
  timeline: TimelineEntry[];
  requestedAt: string;
  startedAt?: string;
  endedAt?: string;
}

export function jobRecordOf(history: CairnEvent[]): JobRecord | undefined {
  const events = history as unknown as (CairnEvent & JobEvent)[];
  const state = foldEvents(jobDecider, events);
  if (!state.request) return undefined;
  const timeline = events.flatMap((event) => {
    const entry = timelineEntryOf(event);
    return entry ? [{ ...entry, at: event.time }] : [];
  });
  const at = (status: JobStatus) => timeline.find((entry) => entry.state === status)?.at;
  const ended = timeline.find((entry) => entry.state === 'succeeded' || entry.state === 'failed' || entry.state === 'cancelled');
  return {
    state,
    request: state.request,
    timeline,
    requestedAt: events[0].time,
    ...(at('running') !== undefined && { startedAt: at('running') }),
    ...(ended && { endedAt: ended.at }),
  };
}

function timelineEntryOf(event: JobEvent): Omit<TimelineEntry, 'at'> | undefined {
  switch (event.type) {
    case 'jobs.job.requested.v1': {
      const { triggeredBy, rerunOf, template } = event.data;
      return { state: 'queued', by: { userId: triggeredBy }, message: rerunOf ? `rerun of job ${rerunOf}` : `${template.name}@${template.version} requested` };
    }
    case 'jobs.job.started.v1':
      return { state: 'running', by: { runnerId: event.data.runnerId }, message: `claimed by runner ${event.data.runnerId}` };
    case 'jobs.job.cancel-requested.v1':
      return { state: 'cancelling', by: { userId: event.data.actor }, message: 'cancel requested; waiting for the runner to stop' };
    case 'jobs.job.succeeded.v1':
      return { state: 'succeeded', by: { runnerId: event.data.runnerId }, message: `exited with ${event.data.exitCode}` };
    case 'jobs.job.failed.v1': {
      const { failure, runnerId } = event.data;
      const exit = failure.exitCode === undefined ? '' : ` (exit code ${failure.exitCode})`;
      return { state: 'failed', by: runnerId ? { runnerId } : { userId: 'system' }, message: `${failure.kind} failure: ${failure.reason}${exit}` };
    }
    case 'jobs.job.cancelled.v1': {
      const { actor, runnerId } = event.data;
      return runnerId ? { state: 'cancelled', by: { runnerId }, message: 'stopped by its runner' } : { state: 'cancelled', by: { userId: actor! }, message: 'cancelled while queued' };
    }
    default:
      return undefined;
  }
}
