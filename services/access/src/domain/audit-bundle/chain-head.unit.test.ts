import { generateKeyPairSync } from 'node:crypto';
import { DomainError, foldEvents } from '@cairn/contracts';
import { auditSigner, chainLinks, signatureHolds, type AuditRecord } from './audit-chain';
import { chainHeadDecider, type SignHead } from './chain-head';

const signer = auditSigner(generateKeyPairSync('ed25519').privateKey);
const record = (streamversion: number, reason = 'runs the scans'): AuditRecord => ({
  id: `e-${streamversion}`,
  type: 'access.role.granted.v1',
  time: `2026-12-07T15:00:0${streamversion}.000Z`,
  streamversion,
  data: { reason },
});
const STREAM = 'access_project-p1';

/**
 * The command the access service gives after a commit: the stream's links up to it, their head signed,
 * and where its commit began (by default, the commit is the last event).
 */
function signHead(records: AuditRecord[], committedFrom = records.length - 1): SignHead {
  const links = chainLinks(records);
  return {
    type: 'SignHead',
    links,
    signed: signer.sign({ stream: STREAM, length: links.length, head: links[links.length - 1], signedAt: '2026-12-07T15:01:00.000Z' }),
    committedFrom,
  };
}

const afterSigningNothing = () => chainHeadDecider.initialState();
/** The state after each command was decided and its events recorded, in turn. */
const afterSigning = (...commands: SignHead[]) =>
  commands.reduce((state, command) => foldEvents({ ...chainHeadDecider, initialState: () => state }, chainHeadDecider.decide(command, state)), afterSigningNothing());

const refusalOf = (act: () => unknown) => {
  try {
    act();
  } catch (error) {
    if (error instanceof DomainError) return error.rule;
    throw error;
  }
  return undefined;
};

describe('signing the head of an access-deciding stream at write time', () => {
  const history = [record(0), record(1), record(2)];

  it('records the head of the stream as the store holds it, with its signature', () => {
    const [event] = chainHeadDecider.decide(signHead(history), afterSigningNothing());
    expect(event.type).toBe('access.chain.head-signed.v1');
    expect(event.data).toMatchObject({ stream: STREAM, length: 3, head: chainLinks(history)[2], keyId: signer.key.keyId });
    expect(signatureHolds(event.data, signer.key)).toBe(true);
  });

  it('records a longer head after a shorter one', () => {
    expect(chainHeadDecider.decide(signHead(history), afterSigning(signHead(history.slice(0, 2))))).toHaveLength(1);
  });

  it('records nothing when a head already recorded covers as many events (a late or repeated signing)', () => {
    const state = afterSigning(signHead(history));
    expect(chainHeadDecider.decide(signHead(history), state)).toEqual([]);
    expect(chainHeadDecider.decide(signHead(history.slice(0, 2)), state)).toEqual([]);
  });

  it('refuses to sign a stream that no longer reaches the last recorded head: a rewrite is never vouched for', () => {
    const state = afterSigning(signHead(history.slice(0, 2)));
    const rewritten = [record(0), record(1, 'was never asked'), record(2)];
    expect(refusalOf(() => chainHeadDecider.decide(signHead(rewritten), state))).toBe('audit.chain-rewritten');
  });

  it('refuses to sign a commit after events no head signed since the last one: a direct append between two commits is never vouched for', () => {
    const state = afterSigning(signHead(history.slice(0, 2)));
    const withDirectAppend = [...history, record(3)];
    expect(refusalOf(() => chainHeadDecider.decide(signHead(withDirectAppend), state))).toBe('audit.unsigned-events');
    // A commit of two events right after the last head is its own.
    expect(chainHeadDecider.decide(signHead(withDirectAppend, 2), state)).toHaveLength(1);
  });

  it('takes the history of a stream signed for the first time as it finds it (streams written before heads were signed)', () => {
    expect(chainHeadDecider.decide(signHead(history), afterSigningNothing())).toHaveLength(1);
  });

  it("refuses a head that is not the chain's link after all the events it names", () => {
    const command = signHead(history);
    expect(refusalOf(() => chainHeadDecider.decide({ ...command, links: command.links.slice(0, 2) }, afterSigningNothing()))).toBe('audit.head-is-the-chain');
  });

  it('keeps the longest head as the last one, whatever order heads were recorded in', () => {
    const longer = chainHeadDecider.decide(signHead(history), afterSigningNothing());
    const shorter = chainHeadDecider.decide(signHead(history.slice(0, 1)), afterSigningNothing());
    expect(foldEvents(chainHeadDecider, [...longer, ...shorter]).last?.length).toBe(3);
  });
});
