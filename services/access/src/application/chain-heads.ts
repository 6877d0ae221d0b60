import { Logger } from '@nestjs/common';
import { streamIdOf, type Decider, type DomainEvent, type StreamName } from '@cairn/contracts';
import { commandHandler, type CommandHandler, type EventStore } from '@cairn/event-store';
import { AUDIT_GENESIS, auditRecordOf, linkAfter, type AuditRecord, type AuditSigner } from '../domain/audit-bundle/audit-chain';
import { chainHeadDecider } from '../domain/audit-bundle/chain-head';
import { auditSignerFromEnv, MissingSigningKeyError } from './audit-signing-key';

/** Where the heads of an access-deciding stream, signed at write time, are recorded. */
export const chainStream = (stream: StreamName): StreamName => chainStreamOf(streamIdOf(stream));
const chainStreamOf = (decidingStreamId: string): StreamName => ({ context: 'access', aggregate: 'chain', id: decidingStreamId });

/**
 * Signs the head of an access-deciding stream right after the access service commits to it, and records
 * the signature as an event of its own, so that an export finds it and a later rewrite of the store is
 * caught against it. Signing happens in the commit's own request rather than in a reactor following the
 * bus: a reactor would also sign events someone appended to the store directly, which is exactly what
 * these heads must expose. A commit is stored before its head is signed, so a failure to sign is logged
 * and never turns a stored commit into an error; the next commit signs the head again.
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
   * Signs the head after `links`, the audit chain of the stream as its commit left it, unless a recorded
   * head already covers it. The signature is caused by the head's event (not by the request itself: it
   * is the commit's consequence, as a reactor's events are, so a request's own events stay those of its
   * one commit).
   */
  async sign(stream: StreamName, { links, lastEventId }: AuditChainOf<unknown>, now = new Date()): Promise<void> {
    const signer = this.loadedSigner();
    if (!signer || links.length === 0) return;
    try {
      const streamId = streamIdOf(stream);
      const signed = signer.sign({ stream: streamId, length: links.length, head: links[links.length - 1], signedAt: now.toISOString() });
      await this.commands(streamId, { type: 'SignHead', links, signed }, { causationid: lastEventId });
    } catch (error) {
      this.logger.error(`the head of ${streamIdOf(stream)} was not signed: ${(error as Error).message}`);
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
    if (outcome.events.length > 0) await heads.sign(streamOf(id), outcome.state);
    return { ...outcome, state: outcome.state.state };
  };
}
