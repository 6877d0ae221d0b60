import { invalid, type ChainHeadEvent, type Decider } from '@cairn/contracts';
import type { SignedHead } from './audit-chain';

/**
 * The heads of one access-deciding stream, signed at write time (`access_chain-<stream id>`). The rules:
 * a head is recorded only when it covers more events than the last one recorded; only when the stream
 * still reaches the last recorded head (a stream rewritten under the service is never signed again, so
 * the rewrite stays visible to every auditor instead of being vouched for); and only when every event
 * between the last recorded head and the commit being signed was itself signed: an event appended to
 * the store directly between two commits is never vouched for by the next commit's head.
 */
export interface ChainHeadState {
  /** The last head recorded; absent before the first. */
  last?: { length: number; head: string };
}

export interface SignHead {
  type: 'SignHead';
  /** The audit chain's links of the stream as the store holds it now, in order. */
  links: readonly string[];
  /** The head after all of `links`, signed by the service's key. */
  signed: SignedHead;
  /** How many of the stream's events precede the commit being signed: the commit's own are the links after them. */
  committedFrom: number;
}

function rewritten(stream: string, last: { length: number; head: string }): never {
  throw invalid(
    'audit.chain-rewritten',
    `${stream} no longer reaches the head signed after its ${last.length} events (${last.head}): it was rewritten outside the access service, and will not be signed again`,
  );
}

function unsigned(stream: string, last: { length: number }, committedFrom: number): never {
  throw invalid(
    'audit.unsigned-events',
    `${stream} holds events #${last.length}..#${committedFrom - 1} between its last signed head and the commit to sign, which no head signed as they were committed: appended to the store directly, or their signing failed; no later head is signed until that is looked into`,
  );
}

export const chainHeadDecider: Decider<SignHead, ChainHeadState, ChainHeadEvent> = {
  initialState: () => ({}),
  decide({ links, signed, committedFrom }, { last }) {
    if (signed.length !== links.length || signed.head !== links.at(-1)) {
      throw invalid('audit.head-is-the-chain', `the head to sign of ${signed.stream} is not the chain's link after its ${links.length} events`);
    }
    if (last && links.length >= last.length && links[last.length - 1] !== last.head) rewritten(signed.stream, last);
    // A late signing of no more events than the last head covers adds nothing.
    if (last && last.length >= links.length) return [];
    // A stream first signed takes its history as it finds it (streams written before heads were signed).
    if (last && committedFrom > last.length) unsigned(signed.stream, last, committedFrom);
    return [{ type: 'access.chain.head-signed.v1', data: { ...signed } }];
  },
  evolve: (state, { data }) => (state.last && state.last.length >= data.length ? state : { last: { length: data.length, head: data.head } }),
};
