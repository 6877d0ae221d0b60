import type { ServiceUnderTest } from '@cairn/runtime';

/**
 * Helpers for specifications of the access history: the instant each step was recorded at, as the
 * read models see it (a project event's decision time `at`, a lab event's `time`).
 */

/** The instant of the event stored at `position`. */
export async function instantOf(service: ServiceUnderTest, position: number): Promise<string> {
  for await (const event of service.runtime.store.readAll({ fromPosition: position - 1 })) {
    if (event.position !== position) break;
    return event.streamid.startsWith('access_project-') ? (event.data as { at: string }).at : event.time;
  }
  throw new Error(`no event at position ${position}`);
}

/** The instant one millisecond before `instant`. */
export function justBefore(instant: string): string {
  return new Date(Date.parse(instant) - 1).toISOString();
}

/**
 * Waits until the clock has moved past `instant`, so that the next step is recorded at a later
 * millisecond and every step has an instant of its own to be asked about.
 */
export async function afterClockPasses(instant: string): Promise<void> {
  while (Date.now() <= Date.parse(instant) + 1) await new Promise((resolve) => setTimeout(resolve, 2));
}

/**
 * Runs one step over HTTP: its position and the instant it was recorded at, once the clock has moved
 * past that instant, so that the next step gets an instant of its own.
 */
export async function recordStep(
  service: ServiceUnderTest,
  call: PromiseLike<{ status: number; headers: Record<string, string>; body: unknown }>,
): Promise<{ position: number; instant: string }> {
  const response = await call;
  if (response.status >= 300) throw new Error(`step failed: ${response.status} ${JSON.stringify(response.body)}`);
  const position = Number(response.headers['cairn-position']);
  const instant = await instantOf(service, position);
  await afterClockPasses(instant);
  return { position, instant };
}
