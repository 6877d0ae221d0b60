import type { JetStreamManager, NatsConnection } from 'nats';
import type { CairnEvent } from '@cairn/contracts';
import {
  contextFromTraceHeaders,
  correlationOfEvent,
  counter,
  failSpan,
  gauge,
  logger,
  SpanKind,
  startSpan,
  withCorrelation,
  withSpan,
} from '@cairn/telemetry';
import { deadLetterCount } from './dead-letter';
import { isTransientFailure } from './transient-failure';
import type { DurableEventConsumer } from './durable-event-consumer';

/** What the metrics read of a running consumer. */
export type ObservableConsumer = Pick<DurableEventConsumer, 'name' | 'lag' | 'isPaused'>;

interface ObservedConsumer {
  jsm: JetStreamManager;
  consumer: ObservableConsumer;
}

const observed = new Map<string, ObservedConsumer>();

/**
 * A gauge per running consumer, asked of the server at each scrape, so that every replica reports the
 * same (whichever is active); a consumer the server does not answer for is left out of that scrape.
 */
function perConsumerGauge(name: string, help: string, read: (consumer: string, observed: ObservedConsumer) => Promise<number>): void {
  gauge({
    name,
    help,
    labelNames: ['consumer'] as const,
    async collect() {
      this.reset();
      await Promise.all(
        [...observed].map(async ([consumer, entry]) => {
          const value = await read(consumer, entry).catch(() => undefined);
          if (value !== undefined) this.set({ consumer }, value);
        }),
      );
    },
  });
}

perConsumerGauge(
  'cairn_consumer_lag_events',
  'Events of its categories that a consumer (a projection or reactor) has not settled yet: behind the stream head, delivered or not.',
  async (_name, { consumer }) => {
    const { pending, ackPending } = await consumer.lag();
    return pending + ackPending;
  },
);

perConsumerGauge(
  'cairn_consumer_paused',
  '1 while a consumer waits for a dependency (MongoDB, NATS) that does not answer, to take the same events again; 0 otherwise.',
  async (_name, { consumer }) => (consumer.isPaused ? 1 : 0),
);

perConsumerGauge('cairn_dead_letters', 'Messages a consumer has dead-lettered (held on cairn.dlq.<consumer> by the CAIRN_DLQ stream).', (consumer, { jsm }) =>
  deadLetterCount(jsm, consumer),
);

const eventsHandled = counter({
  name: 'cairn_events_handled_total',
  help: 'Events a consumer of this process handled (applied to a read model, or reacted to).',
  labelNames: ['consumer'] as const,
});

const log = logger('events');

/** Reports a running consumer's lag, dead letters and pauses on `/metrics` until the returned function is called. */
export async function observeConsumer(nc: NatsConnection, consumer: ObservableConsumer): Promise<() => void> {
  const entry = { jsm: await nc.jetstreamManager(), consumer };
  observed.set(consumer.name, entry);
  return () => {
    if (observed.get(consumer.name) === entry) observed.delete(consumer.name);
  };
}

/**
 * Handles a batch the way every consumer of the platform does: each event's handling is a span in the
 * trace of the append that recorded it, and once the batch is settled each event gets its log line
 * with the correlation id of the request that caused it. A batch of one is handled in that event's
 * trace and correlation, so that what its handler appends (a reactor's commands) continues both.
 */
export async function handleObserved(consumer: string, events: CairnEvent[], handle: () => Promise<void>): Promise<void> {
  const started = process.hrtime.bigint();
  const spans = events.map((event) =>
    startSpan(
      `${consumer} handle ${event.type}`,
      {
        kind: SpanKind.CONSUMER,
        attributes: { 'messaging.consumer.group.name': consumer, 'cairn.event.type': event.type, 'cairn.position': event.position, 'cairn.batch': events.length },
      },
      contextFromTraceHeaders({ traceparent: event.traceparent, tracestate: event.tracestate }),
    ),
  );
  try {
    await (events.length === 1 ? withSpan(spans[0], () => withCorrelation(correlationOfEvent(events[0]), handle)) : handle());
  } catch (error) {
    for (const span of spans) {
      failSpan(span, error);
      span.end();
    }
    const [first, last] = [events[0], events[events.length - 1]];
    // A dependency that does not answer is logged once per outage by the consumer, not at every try.
    const level = isTransientFailure(error) ? 'debug' : 'warn';
    log[level]({ consumer, events: events.length, fromPosition: first.position, toPosition: last.position, error: (error as Error).message }, 'batch not handled');
    throw error;
  }
  const durationMs = Number(process.hrtime.bigint() - started) / 1e6;
  eventsHandled.inc({ consumer }, events.length);
  events.forEach((event, index) => {
    spans[index].end();
    const { traceId } = spans[index].spanContext();
    log.info(
      {
        consumer,
        type: event.type,
        eventid: event.id,
        streamid: event.streamid,
        position: event.position,
        ...(event.correlationid !== undefined && { correlationid: event.correlationid }),
        ...(event.causationid !== undefined && { causationid: event.causationid }),
        ...(/^0+$/.test(traceId) ? {} : { trace_id: traceId }),
        batch: events.length,
        durationMs: Math.round(durationMs * 10) / 10,
      },
      'event handled',
    );
  });
}
