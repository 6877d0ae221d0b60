import type { ReadModelCollections } from '@cairn/read-models';
import { gauge } from '@cairn/telemetry';
import { JOB_STATUSES } from '../domain/job';
import { JOB_SEARCH, jobsInStateQuery, type JobSearchDocument } from '../projections';

let readModels: ReadModelCollections | undefined;

/** Shows the jobs by state on `/metrics`, counted in `job_search` at each scrape (every replica shows the same). */
export function observeJobStates(collections: ReadModelCollections): void {
  readModels = collections;
}

gauge({
  name: 'cairn_jobs',
  help: 'Jobs by state (queued, running, cancelling, succeeded, failed, cancelled), as the job_search read model holds them.',
  labelNames: ['state'] as const,
  async collect() {
    if (!readModels) return;
    const jobs = await readModels.resolve<JobSearchDocument>(JOB_SEARCH);
    const counts = await Promise.all(JOB_STATUSES.map((status) => jobs.countDocuments(jobsInStateQuery(status).filter)));
    this.reset();
    JOB_STATUSES.forEach((state, index) => this.set({ state }, counts[index]));
  },
});
