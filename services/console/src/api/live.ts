import type { Api } from './client';
import { readEventStream, type ServerSentEvent } from './event-stream';

export interface FollowOptions {
  /** The stream's URL for resuming after the last event id seen (undefined: from now). */
  url: (lastId: string | undefined) => string;
  onEvent: (event: ServerSentEvent) => void;
  /** The stream ended for good (an `end` event, or a refusal): no reconnecting. */
  onEnd?: (reason: string) => void;
  lastId?: string;
}

const RECONNECT_MS = 2_000;

/**
 * Follows a server-sent events stream through `fetch` (EventSource cannot send the bearer token),
 * resuming after the last event id when the connection drops. Returns the function that stops it.
 */
export function follow(api: Api, options: FollowOptions): () => void {
  const abort = new AbortController();
  let lastId = options.lastId;
  const run = async () => {
    while (!abort.signal.aborted) {
      try {
        const response = await api.fetch(`${api.baseUrl}${options.url(lastId)}`, { headers: api.headers('text/event-stream'), signal: abort.signal });
        if (!response.ok || !response.body) {
          const problem = (await response.json().catch(() => undefined)) as { detail?: string } | undefined;
          options.onEnd?.(problem?.detail ?? `The live updates were refused (${response.status}).`);
          return;
        }
        for await (const event of readEventStream(response.body)) {
          if (event.id !== undefined) lastId = event.id;
          if (event.event === 'end') {
            options.onEnd?.((JSON.parse(event.data) as { detail?: string }).detail ?? 'The live updates ended.');
            return;
          }
          options.onEvent(event);
        }
      } catch {
        if (abort.signal.aborted) return;
      }
      await new Promise((resolve) => setTimeout(resolve, RECONNECT_MS));
    }
  };
  void run();
  return () => abort.abort();
}
