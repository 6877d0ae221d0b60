import type { Request, Response } from 'express';

export const EVENT_STREAM = 'text/event-stream';

/** Whether the request asks for server-sent events (`Accept: text/event-stream`) rather than JSON. */
export function wantsEventStream(request: Request): boolean {
  return (request.headers.accept ?? '').split(',').some((type) => type.trim().split(';')[0].trim() === EVENT_STREAM);
}

/** A comment line this often keeps proxies (and the Ingress's read timeout) from closing a quiet stream. */
const HEARTBEAT_MS = 15_000;

export interface EventStream {
  send(event: string, data: unknown, id?: number | string): void;
  end(): void;
}

/**
 * Starts a server-sent events answer. `onClose` runs once, when the client goes away or `end()` is
 * called. Proxies are told not to buffer it (`X-Accel-Buffering`, nginx's header).
 */
export function openEventStream(response: Response, onClose: () => void): EventStream {
  response.status(200);
  response.setHeader('Content-Type', `${EVENT_STREAM}; charset=utf-8`);
  response.setHeader('Cache-Control', 'no-cache, no-transform');
  response.setHeader('X-Accel-Buffering', 'no');
  response.flushHeaders();
  const heartbeat = setInterval(() => response.write(': keep-alive\n\n'), HEARTBEAT_MS);
  let closed = false;
  const close = () => {
    if (closed) return;
    closed = true;
    clearInterval(heartbeat);
    onClose();
  };
  // The answer's close, not the request's: a request may count as closed once its (empty) body is read.
  response.on('close', close);
  return {
    send(event, data, id) {
      if (closed) return;
      response.write(`${id === undefined ? '' : `id: ${id}\n`}event: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
    },
    end() {
      close();
      response.end();
    },
  };
}

/**
 * Starts following first, so that a refusal (403, 404, 503) still answers a problem document, and opens
 * the stream once it has started: what the follower sends before then goes out first, in order. The
 * follower is closed when the client goes away or the stream ends.
 */
export async function followAsEventStream(response: Response, follow: (stream: EventStream) => Promise<{ close(): Promise<void> | void }>): Promise<void> {
  const early: ((open: EventStream) => void)[] = [];
  const state: { open?: EventStream } = {};
  const emit = (write: (open: EventStream) => void) => (state.open ? write(state.open) : early.push(write));
  const follower = await follow({ send: (event, data, id) => emit((open) => open.send(event, data, id)), end: () => emit((open) => open.end()) });
  const opened = openEventStream(response, () => void follower.close());
  state.open = opened;
  for (const write of early.splice(0)) write(opened);
}
