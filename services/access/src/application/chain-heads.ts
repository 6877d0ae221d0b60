import { setTimeout as sleep } from 'node:timers/promises';
import { Logger } from '@nestjs/common';
import { categoryOf, DomainError, streamIdOf, type Decider, type DomainEvent, type StreamName } from '@cairn/contracts';
import { counter } from '@cairn/telemetry';
import { commandHandler, type CommandHandler, type EventStore } from '@cairn/event-store';
import { AUDIT_GENESIS, auditRecordOf, linkAfter, type AuditRecord, type AuditSigner } from '../domain/audit-bundle/audit-chain';
import { chainHeadDecider } from '../domain/audit-bundle/chain-head';
import { auditSignerFromEnv, MissingSigningKeyError } from './audit-signing-key';

/**
 * The alarm of a head not signed because events no head signed lie between the last signed head and the
 * commit (`audit.unsigned-events`): someone appended to the store directly, or a commit's signing failed.
 */
export const unsignedEventAlarms = counter({
  name: 'cairn_audit_unsigned_events_total',
  help: 'Heads the access service refused to sign because events no head signed lie between the last signed head and the commit (a direct append to the store, or a failed signing), by stream category.',
  labelNames: ['category'] as const,
});

/**
 * How long a signing waits, in turn, for another replica that committed just before it to sign its own
 * commit (its events lie between the last head and this commit until it does) before it raises the alarm.
 */
const WAITS_FOR_OTHER_SIGNERS_MS = [50, 200, 750];

/** Where the heads of an access-deciding stream, signed at write time, are recorded. */
export const chainStream = (stream: StreamName): StreamName => chainStreamOf(streamIdOf(stream));
const chainStreamOf = (decidingStreamId: string): StreamName => ({ context: 'access', aggregate: 'chain', id: decidingStreamId });

/**
 * Signs the head of an access-deciding stream right after the access service commits to it, and records
 * the signature as an event of its own, so that an export finds it and a later rewrite of the store is
 * caught against it. Signing happens in the commit's own request rather than in a reactor following the
 * bus: a reactor would also sign events someone appended to the store directly, which is exactly what
 * these heads must expose. For the same reason a head is signed only when every event between the last
 * signed head and the commit was signed as it was committed: an event appended directly between two
 * commits is never covered by the next one's head; the signing is refused, logged as an error and
 * counted (`cairn_audit_unsigned_events_total`), and the stream stays unsigned from there on, so that
 * verify-bundle names every event since. A commit is stored before its head is signed, so a failure to
 * sign never turns a stored commit into an error.
 */
export class ChainHeads {
  private readonly logger = new Logger(ChainHeads.name);
  private readonly commands;
  private signer?: AuditSigner | null;

  constructor(
    private readonly store: EventStore,
    private readonly signerOf: () => AuditSigner,
  ) {
    this.commands = commandHandler(store, chainHeadDecider, chainStreamOf);
  }

  static fromEnv(store: EventStore, env: NodeJS.ProcessEnv): ChainHeads {
    return new ChainHeads(store, () => auditSignerFromEnv(env));
  }

  /**
   * Signs the head after `links`, the audit chain of the stream as its commit left it (its own events
   * being those after the first `committedFrom`), unless a recorded head already covers it. Another
   * replica's commit just before this one is waited for, briefly, to be signed by its replica. The signature is caused by the head's event (not by the request itself: it
   * is the commit's consequence, as a reactor's events are, so a request's own events stay those of its
   * one commit).
   */
  async sign(stream: StreamName, { links, lastEventId }: AuditChainOf<unknown>, committedFrom: number, now = new Date()): Promise<void> {
    const signer = this.loadedSigner();
    if (!signer || links.length === 0) return;
    const streamId = streamIdOf(stream);
    const signed = signer.sign({ stream: streamId, length: links.length, head: links[links.length - 1], signedAt: now.toISOString() });
    for (const wait of [...WAITS_FOR_OTHER_SIGNERS_MS, undefined]) {
      try {
        await this.commands(streamId, { type: 'SignHead', links, signed, committedFrom }, { causationid: lastEventId });
        return;
      } catch (error) {
        const unsigned = error instanceof DomainError && error.rule === 'audit.unsigned-events';
        if (unsigned && wait !== undefined) {
          await sleep(wait);
          continue;
        }
        if (unsigned) unsignedEventAlarms.inc({ category: categoryOf(stream) });
        this.logger.error(`the head of ${streamId} was not signed: ${(error as Error).message}`);
        return;
      }
    }
  }

  private loadedSigner(): AuditSigner | undefined {
    if (this.signer === undefined) {
      try {
        this.signer = this.signerOf();
      } catch (error) {
        if (!(error instanceof MissingSigningKeyError)) throw error;
        this.logger.warn(`${error.message}; chain heads are not signed at write time`);
        this.signer = null;
      }
    }
    return this.signer ?? undefined;
  }
}

/** An aggregate's state with the audit chain of the stream it was folded from. */
interface AuditChainOf<State> {
  state: State;
  /** The chain's link after each event, in order. */
  links: string[];
  lastEventId?: string;
}

/**
 * The decider folding, beside its own state, the audit chain of its stream: the command handler loads
 * the stream and folds its commit's events as they are stored, so the links after a commit are known
 * without reading the stream again.
 */
function withAuditChain<Command, State, Event extends DomainEvent>(
  decider: Decider<Command, State, Event>,
): Decider<Command, AuditChainOf<State>, Event> {
  return {
    initialState: () => ({ state: decider.initialState(), links: [] }),
    decide: (command, { state }) => decider.decide(command, state),
    evolve: ({ state, links }, event) => {
      // The handler folds stored envelopes, at load and after its append.
      const stored = event as unknown as AuditRecord;
      return { state: decider.evolve(state, event), links: [...links, linkAfter(links.at(-1) ?? AUDIT_GENESIS, auditRecordOf(stored))], lastEventId: stored.id };
    },
  };
}

/** The command handler of an access-deciding stream, whose head is signed after each commit that appended. */
export function signingHeads<Command, State, Event extends DomainEvent>(
  store: EventStore,
  decider: Decider<Command, State, Event>,
  streamOf: (id: string) => StreamName,
  heads: ChainHeads | undefined,
): CommandHandler<Command, State, Event> {
  if (!heads) return commandHandler(store, decider, streamOf);
  const handler = commandHandler(store, withAuditChain(decider), streamOf);
  return async (id, command, options) => {
    const outcome = await handler(id, command, options);
    if (outcome.events.length > 0) await heads.sign(streamOf(id), outcome.state, outcome.state.links.length - outcome.events.length);
    return { ...outcome, state: outcome.state.state };
  };
}
