import { invalid, type ChainHeadEvent, type Decider } from '@cairn/contracts';
import type { SignedHead } from './audit-chain';

/**
 * The heads of one access-deciding stream, signed at write time (`access_chain-<stream id>`). The rule:
 * a head is recorded only when it covers more events than the last one recorded, and only when the
 * stream still reaches the last recorded head: a stream rewritten under the service is never signed
 * again, so the rewrite stays visible to every auditor instead of being vouched for.
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
}

function rewritten(stream: string, last: { length: number; head: string }): never {
  throw invalid(
    'audit.chain-rewritten',
    `${stream} no longer reaches the head signed after its ${last.length} events (${last.head}): it was rewritten outside the access service, and will not be signed again`,
  );
}

export const chainHeadDecider: Decider<SignHead, ChainHeadState, ChainHeadEvent> = {
  initialState: () => ({}),
  decide({ links, signed }, { last }) {
    if (signed.length !== links.length || signed.head !== links.at(-1)) {
      throw invalid('audit.head-is-the-chain', `the head to sign of ${signed.stream} is not the chain's link after its ${links.length} events`);
    }
    if (last && links.length >= last.length && links[last.length - 1] !== last.head) rewritten(signed.stream, last);
    // A late signing of no more events than the last head covers adds nothing.
    if (last && last.length >= links.length) return [];
    return [{ type: 'access.chain.head-signed.v1', data: { ...signed } }];
  },
  evolve: (state, { data }) => (state.last && state.last.length >= data.length ? state : { last: { length: data.length, head: data.head } }),
};
