import { categoryOf, eventCatalogue, foldEvents, streamIdOf, validateOnPublish, type CairnEvent, type Decider, type DomainEvent, type StreamName } from '@cairn/contracts';
import { currentCorrelation, currentTraceHeaders, failSpan, inSpan, startSpan, withSpan } from '@cairn/telemetry';
import { appendConflicts, appendsCommitted, commandsHandled, commandTypeOf, outcomeOfFailure } from './command-metrics';
import { identify } from './envelope';
import { nextIdempotentCommit, type CommitIdentity } from './idempotent-commits';
import { WrongExpectedVersionError, type EventStore } from './port';

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
  return aggregateFrom(await store.readStream(stream), decider);
}

function aggregateFrom<State, Event extends DomainEvent>(
  history: CairnEvent[],
  decider: Pick<Decider<unknown, State, Event>, 'initialState' | 'evolve'>,
): LoadedAggregate<State> {
  const last = history[history.length - 1];
  const { upcasters } = eventCatalogue();
  return {
    // Stored envelopes carry the `{ type, data }` the decider emitted, lifted to the newest version of
    // their type as consumers see them: a decider knows only the versions it emits.
    state: foldEvents(decider, history.map((event) => upcasters.upcast(event)) as unknown as Event[]),
    version: last ? last.streamversion : 'no-stream',
    position: last ? last.position : 0,
  };
}

/** Who asked, and what the caller saw: the options of one command. */
export interface CommandOptions {
  /** The person the events are recorded for (their `actorid`); absent for what the platform does itself. */
  actor?: string;
  /**
   * The version of the stream the caller decided against (an `If-Match`, a body's `expectedVersion`, a
   * preview). Any other version is a conflict, reported and never retried: the caller's reasons may not
   * hold for the state the stream has now.
   */
  expectedVersion?: number;
  correlationid?: string;
  causationid?: string;
}

/** Decides `command` on the aggregate `id` and appends what it decided. */
export type CommandHandler<Command, State, Event extends DomainEvent> = (
  id: string,
  command: Command,
  options: CommandOptions,
) => Promise<CommandOutcome<State, Event>>;

/** Appends that lost to a concurrent writer, without an expected version, before the command gives up. */
const ATTEMPTS_WITHOUT_EXPECTED_VERSION = 3;

/**
 * Load, decide, append — the one way every service changes its own streams. Every event is checked
 * against the catalogue before it is appended (an unregistered type or data its schema refuses is never
 * published). Without an expected version, a concurrent writer makes the append fail and the command is
 * loaded and decided again (deciding is pure, so that is safe), a bounded number of times. With one, the
 * stream must be at that version when it is loaded and when it is appended to; otherwise the
 * `WrongExpectedVersionError` names the version it is at.
 *
 * The events carry the correlation of the request or event in hand (unless the options name one) and
 * the trace context of their append; commands are counted by type and outcome, commits and
 * conflicts by stream category.
 */
export function commandHandler<Command, State, Event extends DomainEvent>(
  store: EventStore,
  decider: Decider<Command, State, Event>,
  streamOf: (id: string) => StreamName,
): CommandHandler<Command, State, Event> {
  const handle = async (
    stream: StreamName,
    command: Command,
    { actor, expectedVersion, correlationid, causationid }: CommandOptions,
  ): Promise<CommandOutcome<State, Event>> => {
    const category = categoryOf(stream);
    // Handlers of requests and events need not pass these: they are the correlation of the work in hand.
    const inherited = currentCorrelation();
    const correlation = { correlationid: correlationid ?? inherited?.correlationid, causationid: causationid ?? inherited?.causationid };
    const metadata = {
      ...(actor !== undefined && { actorid: actor }),
      ...(correlation.correlationid !== undefined && { correlationid: correlation.correlationid }),
      ...(correlation.causationid !== undefined && { causationid: correlation.causationid }),
    };
    const commit = nextIdempotentCommit(streamIdOf(stream));
    for (let attempt = 1; ; attempt++) {
      const history = await store.readStream(stream);
      const stored = commit && storedOutcome(history, commit, decider);
      if (stored) return stored;
      const loaded = aggregateFrom(history, decider);
      if (expectedVersion !== undefined && loaded.version !== expectedVersion) {
        throw new WrongExpectedVersionError(streamIdOf(stream), expectedVersion, loaded.version);
      }
      const events = decider.decide(command, loaded.state);
      if (events.length === 0) return { events, state: loaded.state, position: loaded.position, version: loaded.version };
      events.forEach(validateOnPublish);
      try {
        const { identified, appended } = await inSpan(`append ${category}`, { 'cairn.stream': streamIdOf(stream), 'cairn.events': events.length }, async () => {
          // Ids are fixed here rather than by the store, so that the state after the commit is folded from
          // events carrying the id, time and version they are stored with, as the next load folds them.
          // Made inside the append's span: it is where the events' consumers continue the trace.
          const identified = identify(
            events.map((event, index) => ({ ...(commit && { id: commit.idOf(index) }), type: event.type, data: event.data, ...metadata, ...currentTraceHeaders() })),
          );
          return { identified, appended: await store.append(stream, identified, loaded.version) };
        });
        appendsCommitted.inc({ category });
        const firstVersion = loaded.version === 'no-stream' ? 0 : loaded.version + 1;
        const state = identified.reduce(
          (folded, event, index) =>
            // Stored envelopes carry the `{ type, data }` the decider emitted.
            decider.evolve(folded, { ...event, time: appended.time, streamversion: firstVersion + index } as unknown as Event),
          loaded.state,
        );
        return { events, state, position: appended.position, version: appended.nextVersion, time: appended.time };
      } catch (error) {
        if (!(error instanceof WrongExpectedVersionError)) throw error;
        appendConflicts.inc({ category });
        if (expectedVersion !== undefined || attempt >= ATTEMPTS_WITHOUT_EXPECTED_VERSION) throw error;
      }
    }
  };

  return async (id, command, options) => {
    const stream = streamOf(id);
    const type = commandTypeOf(command, categoryOf(stream));
    const span = startSpan(`command ${type}`, { attributes: { 'cairn.command': type, 'cairn.stream': streamIdOf(stream) } });
    try {
      const outcome = await withSpan(span, () => handle(stream, command, options));
      const label = outcome.events.length > 0 ? 'accepted' : 'unchanged';
      commandsHandled.inc({ command: type, outcome: label });
      span.setAttribute('cairn.outcome', label);
      return outcome;
    } catch (error) {
      const label = outcomeOfFailure(error);
      commandsHandled.inc({ command: type, outcome: label });
      span.setAttribute('cairn.outcome', label);
      // A refusal is the command's answer, not a fault of the service.
      if (label !== 'refused') failSpan(span, error);
      throw error;
    } finally {
      span.end();
    }
  };
}

/**
 * What an earlier try of the same request did, if its commit is stored (found by the event ids its
 * Idempotency-Key gives it): its events, and the aggregate as it was right after them. A retry whose
 * first try was stored but never answered gets that outcome instead of deciding again on a state that
 * already holds it (which would refuse a create as existing, or record the change twice).
 */
function storedOutcome<State, Event extends DomainEvent>(
  history: CairnEvent[],
  commit: CommitIdentity,
  decider: Pick<Decider<unknown, State, Event>, 'initialState' | 'evolve'>,
): CommandOutcome<State, Event> | undefined {
  const start = history.findIndex((event) => event.id === commit.idOf(0));
  if (start < 0) return undefined;
  let end = start;
  while (history[end + 1]?.id === commit.idOf(end + 1 - start)) end++;
  const after = aggregateFrom(history.slice(0, end + 1), decider);
  return {
    // Stored envelopes carry the `{ type, data }` the decider emitted.
    events: history.slice(start, end + 1).map(({ type, data }) => ({ type, data }) as Event),
    state: after.state,
    position: after.position,
    version: after.version,
    time: history[end].time,
  };
}
