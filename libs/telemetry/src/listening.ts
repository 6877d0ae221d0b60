import type { Server } from 'node:net';

/**
 * The line a server process logs once it listens, with the port it got. With `PORT=0` the kernel picks
 * the port, so whoever started the process (the local platform, tests) reads it from this line rather
 * than choosing one beforehand, which another process could take first.
 */
export function listeningLine(host: string, port: number): string {
  return `listening on http://${host}:${port}`;
}

/** The URL a `listeningLine` names, found in one line of a log (JSON or pretty). */
export function listeningUrlIn(line: string): string | undefined {
  return /listening on (http:\/\/[^\s"\\:]+:\d+)/.exec(line)?.[1];
}

/** The port a listening server got. */
export function boundPort(server: Server): number | undefined {
  const address = server.address();
  return typeof address === 'object' && address ? address.port : undefined;
}
