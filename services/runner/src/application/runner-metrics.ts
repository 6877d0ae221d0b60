import { counter, gauge } from '@cairn/telemetry';
import type { Runner } from './runner';

/** The runners whose figures `/metrics` serves (one per process, several in the runner's own specs). */
const observed = new Set<Runner>();

/** Reports `runner`'s jobs on `/metrics` until the returned function is called. */
export function observeRunner(runner: Runner): () => void {
  observed.add(runner);
  return () => observed.delete(runner);
}

gauge({
  name: 'cairn_runner_jobs_running',
  help: 'Jobs this runner is running now.',
  labelNames: ['runner'] as const,
  collect() {
    this.reset();
    for (const runner of observed) this.set({ runner: runner.runnerId }, runner.runningJobIds.length);
  },
});

// The runner keeps the count (its own specs read it); the metric shows it as it stands at the scrape.
counter({
  name: 'cairn_runner_jobs_ended_total',
  help: 'Jobs this runner has ended since it started, by how they ended.',
  labelNames: ['runner', 'ending'] as const,
  collect() {
    this.reset();
    for (const runner of observed) {
      for (const [ending, count] of Object.entries(runner.endedJobs)) this.inc({ runner: runner.runnerId, ending }, count);
    }
  },
});

export const heartbeatsSent = counter({
  name: 'cairn_runner_heartbeats_total',
  help: 'Heartbeats this runner sent for its running jobs, by the answer of the jobs service (accepted, cancel, refused, unanswered).',
  labelNames: ['runner', 'answer'] as const,
});
