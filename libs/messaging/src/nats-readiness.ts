import { Events, type NatsConnection } from 'nats';

/**
 * NATS as a readiness probe sees it (a `ReadinessProbe` of `@cairn/http`). The client reconnects
 * forever, so it never reports closed: the probe follows its status events (disconnected until it has
 * reconnected) and, while connected, asks the server for a round trip, which a server that holds the
 * connection open but answers nothing (stopped, wedged) never completes. The caller bounds the wait.
 */
export function natsReadiness(nc: NatsConnection): { name: string; check(): Promise<boolean> } {
  let disconnected = false;
  // Should the status events ever stop, the round trip still tells: a disconnected client's completes only after it reconnects.
  void (async () => {
    for await (const status of nc.status()) {
      if (status.type === Events.Disconnect) disconnected = true;
      else if (status.type === Events.Reconnect) disconnected = false;
    }
  })().catch(() => undefined);
  return {
    name: 'nats',
    check: async () => {
      if (nc.isClosed()) throw new Error('the connection is closed');
      if (disconnected) throw new Error('disconnected from the server, reconnecting');
      await nc.rtt();
      return true;
    },
  };
}
