import type { NatsConnection } from 'nats';
import { v7 as uuidv7 } from 'uuid';
import type { StreamName } from '@cairn/contracts';
import { encodeEvent, newEnvelope, type EventStore } from '@cairn/event-store';

/**
 * Puts an event on the stream the way a buggy or foreign producer would: encoded like the store does,
 * but without any of its checks. Poison events get onto the bus this way; the store would refuse them.
 */
export async function publishUnchecked(
  nc: NatsConnection,
  store: EventStore,
  stream: StreamName,
  event: { type: string; data: unknown },
): Promise<number> {
  const version = (await store.readStream(stream)).length;
  const encoded = encodeEvent(newEnvelope(stream, { id: uuidv7(), ...event }, version, new Date().toISOString()));
  return (await nc.jetstream().publish(encoded.subject, encoded.data, { headers: encoded.headers })).seq;
}
