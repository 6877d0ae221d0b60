import { invalid } from '@cairn/contracts';

/**
 * What the logbook has seen of the jobs a command names: the project of each job whose request it has
 * projected from the jobs service's events. A job it has not seen is absent.
 */
export type KnownJobs = ReadonlyMap<string, string>;

/**
 * The ids, each once in first-seen order, once every one is a job of `projectId`. Refuses, naming each
 * offending `field[i]`, a job the logbook has not seen and a job of another project alike: someone who
 * cannot read that other project learns nothing from the answer.
 */
export function requireJobsOfProject(jobIds: readonly string[], projectId: string, known: KnownJobs, field: string): string[] {
  const errors = jobIds.flatMap((jobId, index) =>
    known.get(jobId) === projectId ? [] : [{ field: `${field}[${index}]`, message: `job ${jobId} is not a job of this project` }],
  );
  if (errors.length > 0) {
    const detail = errors.map((error) => `${error.field}: ${error.message}`).join('; ');
    throw invalid('logbook.job-not-in-project', detail, { errors, refusedJobIds: jobIds.filter((jobId) => known.get(jobId) !== projectId) });
  }
  return [...new Set(jobIds)];
}
