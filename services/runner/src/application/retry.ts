import { JobsUnreachableError } from './jobs-client';

/** Pauses between tries of a report the jobs service did not answer, the last one repeating. */
const BACKOFF_MS = [200, 500, 1_000, 2_000, 5_000];

/**
 * Sends a report until the jobs service answers it or `patienceMs` has passed. Reports are idempotent
 * (a chunk by its seq, the end by the job), so a try whose answer was lost is harmless to repeat.
 */
export async function untilAnswered<T>(send: () => Promise<T>, patienceMs: number): Promise<T> {
  const deadline = Date.now() + patienceMs;
  for (let attempt = 0; ; attempt += 1) {
    try {
      return await send();
    } catch (error) {
      if (!(error instanceof JobsUnreachableError) || Date.now() >= deadline) throw error;
      await new Promise((resolve) => setTimeout(resolve, BACKOFF_MS[Math.min(attempt, BACKOFF_MS.length - 1)]));
    }
  }
}
