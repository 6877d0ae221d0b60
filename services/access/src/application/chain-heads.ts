import { Logger } from '@nestjs/common';
import { streamIdOf, type DomainEvent, type StreamName } from '@cairn/contracts';
import { commandHandler, type CommandHandler, type EventStore } from '@cairn/event-store';
import { auditRecordOf, chainLinks, type AuditSigner } from '../domain/audit-bundle/audit-chain';
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
   * Signs the stream's head as the store holds it now, unless a recorded head already covers it. The
   * signature is caused by the head's event (not by the request itself: it is the commit's consequence,
   * as a reactor's events are, so a request's own events stay those of its one commit).
   */
  async sign(stream: StreamName, now = new Date()): Promise<void> {
    const signer = this.loadedSigner();
    if (!signer) return;
    try {
      const events = await this.store.readStream(stream);
      const links = chainLinks(events.map(auditRecordOf));
      if (links.length === 0) return;
      const streamId = streamIdOf(stream);
      const signed = signer.sign({ stream: streamId, length: links.length, head: links[links.length - 1], signedAt: now.toISOString() });
      await this.commands(streamId, { type: 'SignHead', links, signed }, { causationid: events[events.length - 1].id });
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

/** The command handler of an access-deciding stream, whose head is signed after each commit that appended. */
export function signingHeads<Command, State, Event extends DomainEvent>(
  handler: CommandHandler<Command, State, Event>,
  streamOf: (id: string) => StreamName,
  heads: ChainHeads | undefined,
): CommandHandler<Command, State, Event> {
  if (!heads) return handler;
  return async (id, command, options) => {
    const outcome = await handler(id, command, options);
    if (outcome.events.length > 0) await heads.sign(streamOf(id));
    return outcome;
  };
}
