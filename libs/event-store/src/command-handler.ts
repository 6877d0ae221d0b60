import { foldEvents, validateOnPublish, type Decider, type DomainEvent, type StreamName } from '@cairn/contracts';
import { WrongExpectedVersionError, type EventStore } from './port';

export interface CommandMetadata {
  actorid?: string;
  correlationid?: string;
  causationid?: string;
}

export interface CommandOutcome<State, Event> {
  events: Event[];
  state: State;
  /** Global position of the last appended event; the stream's unchanged head when nothing was appended. */
  position: number;
  version: number | 'no-stream';
  /** When the store stamped the appended events (their `time`, as read models record it); absent when nothing was appended. */
  time?: string;
}

export interface LoadedAggregate<State> {
  state: State;
  /** The version of the stream's last event, the expected version of the next append. */
  version: number | 'no-stream';
  /** Global position of the stream's last event (0 for a stream that does not exist). */
  position: number;
}

/** An aggregate as its own stream says it is now: the load half of every command, and of reads that decide. */
export async function loadAggregate<State, Event extends DomainEvent>(
  store: EventStore,
  stream: StreamName,
  decider: Pick<Decider<unknown, State, Event>, 'initialState' | 'evolve'>,
): Promise<LoadedAggregate<State>> {
  const history = await store.readStream(stream);
  const last = history[history.length - 1];
  return {
    // Stored envelopes carry the `{ type, data }` the decider emitted.
    state: foldEvents(decider, history as unknown as Event[]),
    version: last ? last.streamversion : 'no-stream',
    position: last ? last.position : 0,
  };
}

/**
 * Load, decide, append — the one way every service changes its own streams. Every event is checked
 * against the catalogue before it is appended (an unregistered type or data its schema refuses is never
 * published). A concurrent writer makes the append fail on the expected version; deciding is pure, so it
 * is safe to reload and decide again.
 */
export async function handleCommand<Command, State, Event extends DomainEvent>(
  store: EventStore,
  stream: StreamName,
  decider: Decider<Command, State, Event>,
  command: Command,
  metadata: CommandMetadata = {},
  attempts = 3,
): Promise<CommandOutcome<State, Event>> {
  for (let attempt = 1; ; attempt++) {
    const loaded = await loadAggregate(store, stream, decider);
    let state = loaded.state;
    const { version } = loaded;

    const events = decider.decide(command, state);
    if (events.length === 0) return { events, state, position: loaded.position, version };
    events.forEach(validateOnPublish);
    try {
      const appended = await store.append(
        stream,
        events.map((event) => ({ type: event.type, data: event.data, ...metadata })),
        version,
      );
      for (const event of events) state = decider.evolve(state, event);
      return { events, state, position: appended.position, version: appended.nextVersion, time: appended.time };
    } catch (error) {
      if (!(error instanceof WrongExpectedVersionError) || attempt >= attempts) throw error;
    }
  }
}
