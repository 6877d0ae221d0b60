/**
 * The servers of a NATS URL setting: one URL, or a comma-separated list of a cluster's servers
 * (`nats://nats-0:4222,nats://nats-1:4222,nats://nats-2:4222`). The client starts with whichever
 * answers and learns the rest of the cluster from it, so any one server being down does not stop a start.
 */
export function natsServersOf(url: string): string[] {
  const servers = url.split(',').map((server) => server.trim()).filter(Boolean);
  if (servers.length === 0) throw new Error(`no NATS server in "${url}"`);
  return servers;
}

/**
 * How often a client checks that its server still answers. A server cut off from the network closes
 * nothing, so the client notices only when its pings go unanswered (twice): the client's default of two
 * minutes would hold a service on a dead server for minutes while the rest of the cluster serves.
 */
export const NATS_PING_INTERVAL_MS = 5_000;
