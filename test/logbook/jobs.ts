import { validateOnPublish, type JobEvent, type JobRequestedData } from '@cairn/contracts';
import type { EventStore } from '@cairn/event-store';
import { v7 as uuidv7 } from 'uuid';

/**
 * Until the jobs service runs beside the logbook here, its facts are appended to the event store as it
 * would append them, each checked by the real catalogue first; later calls wait for their positions.
 */
export class JobsHistory {
  constructor(
    private readonly store: Pick<EventStore, 'append'>,
    /** Told each appended event's position, so that later reads can wait for it. */
    private readonly observe: (position: number) => void,
  ) {}

  /** A job run by `triggeredBy` on the project (a rerun when `rerunOf` is given); answers its id. */
  async requested(projectId: string, triggeredBy: string, options: { template?: { name: string; version: string }; rerunOf?: string } = {}): Promise<string> {
    const jobId = uuidv7();
    const data: JobRequestedData = {
      jobId,
      projectId,
      template: options.template ?? { name: 'Render Molecule', version: '1.2.0' },
      inputs: [],
      parameters: { view: 'all', style: 'cartoon' },
      machine: { type: 'gpu', performance: 'standard' },
      command: ['render', '{inputs}'],
      timeLimitSeconds: 600,
      outputFolder: `processed/${jobId}/`,
      triggeredBy,
      rootJobId: options.rerunOf ?? jobId,
      ...(options.rerunOf === undefined ? {} : { rerunOf: options.rerunOf }),
      actor: triggeredBy,
    };
    await this.append(jobId, { type: 'jobs.job.requested.v1', data }, 'no-stream');
    return jobId;
  }

  /** The runner's report that the job started and then succeeded. */
  async succeeded(projectId: string, jobId: string): Promise<void> {
    await this.append(jobId, { type: 'jobs.job.started.v1', data: { jobId, projectId, runnerId: 'runner-1' } }, 'stream-exists');
    await this.append(jobId, { type: 'jobs.job.succeeded.v1', data: { jobId, projectId, runnerId: 'runner-1', exitCode: 0 } }, 'stream-exists');
  }

  private async append(jobId: string, event: JobEvent, expected: 'no-stream' | 'stream-exists'): Promise<void> {
    validateOnPublish(event);
    const { position } = await this.store.append({ context: 'jobs', aggregate: 'job', id: jobId }, [event], expected);
    this.observe(position);
  }
}
