import { validateOnPublish, type Decider, type DomainEvent, type StreamName } from '@cairn/contracts';
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
    const history = await store.readStream(stream);
    let state = decider.initialState();
    for (const stored of history) state = decider.evolve(state, stored as unknown as Event);
    const version = history.length === 0 ? ('no-stream' as const) : history[history.length - 1].streamversion;

    const events = decider.decide(command, state);
    if (events.length === 0) {
      const position = history.length === 0 ? 0 : history[history.length - 1].position;
      return { events, state, position, version };
    }
    events.forEach(validateOnPublish);
    try {
      const appended = await store.append(
        stream,
        events.map((event) => ({ type: event.type, data: event.data, ...metadata })),
        version,
      );
      for (const event of events) state = decider.evolve(state, event);
      return { events, state, position: appended.position, version: appended.nextVersion };
    } catch (error) {
      if (!(error instanceof WrongExpectedVersionError) || attempt >= attempts) throw error;
    }
  }
}
