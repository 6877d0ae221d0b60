import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { readEventStream, type ServerSentEvent } from '@cairn/console/event-stream';

/** A service's HTTP server on a loopback port of its own, for streams that supertest cannot read live. */
export function listenOnLoopback(server: Server): Promise<Server> {
  return new Promise<Server>((listening) => {
    const http: Server = server.listen(0, '127.0.0.1', () => listening(http));
  });
}

/**
 * Opens `path` on `server` as server-sent events with the bearer `token`, read with the console's own
 * stream reader; `next()` answers the next event (failing after a few seconds).
 */
export async function followEventStream(server: Server, path: string, token: string) {
  const { port } = server.address() as AddressInfo;
  const abort = new AbortController();
  const response = await fetch(`http://127.0.0.1:${port}${path}`, { headers: { accept: 'text/event-stream', authorization: `Bearer ${token}` }, signal: abort.signal });
  const events = response.body ? readEventStream(response.body) : undefined;
  const next = async (): Promise<ServerSentEvent> => {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error('no event within 5 s')), 5_000)));
    try {
      const result = await Promise.race([events!.next(), timeout]);
      if (result.done) throw new Error('the stream ended');
      return result.value;
    } finally {
      clearTimeout(timer);
    }
  };
  return { response, next, close: () => abort.abort() };
}
