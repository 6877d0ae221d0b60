import { createHash } from 'node:crypto';
import type { DomainEvent } from '@cairn/contracts';
import { canonicalJson, GENESIS_HASH, hashOf, verifyChain, type ChainLinks } from './hash-chain';
import { created, granted, history, minute, revoked } from './testing/project-access.fixtures';

// docs/api.md: access events carry "prevHash (hash chain over the project's access stream) so an auditor can
// verify that history was not rewritten".
const story = history(
  created('lab', 'ola', 'viewer'),
  granted('ola', 'eve', 'viewer', 'experimenter', minute(1), { reason: 'imaging' }),
  revoked('ola', 'eve', 'experimenter', 'viewer', minute(2)),
);

/** The story with one event's data edited in place, as someone rewriting history would. */
const tampered = (index: number, change: (data: ChainLinks & Record<string, unknown>) => void): DomainEvent<string, ChainLinks>[] =>
  story.map((event, i) => {
    if (i !== index) return event;
    const data: ChainLinks & Record<string, unknown> = { ...event.data };
    change(data);
    return { type: event.type, data };
  });

describe('canonical JSON', () => {
  it('sorts keys at every depth and drops undefined members, so equal data hashes alike', () => {
    expect(canonicalJson({ b: 1, a: { d: [1, { z: 1, y: 2 }], c: undefined } })).toBe('{"a":{"d":[1,{"y":2,"z":1}]},"b":1}');
  });

  it('writes strings, numbers, booleans and null as JSON does', () => {
    expect(canonicalJson(['é "q"', 1.5, true, null])).toBe('["é \\"q\\"",1.5,true,null]');
  });
});

describe('hash chain over a project access stream', () => {
  it('the first event follows the genesis hash; each next one follows its predecessor', () => {
    expect(story.map((event) => event.data.prevHash)).toEqual([GENESIS_HASH, story[0].data.hash, story[1].data.hash]);
  });

  it('hash = sha256(prevHash + canonical JSON of the type and the data without hash)', () => {
    const { hash, ...withoutHash } = story[1].data;
    const expected = createHash('sha256')
      .update(withoutHash.prevHash + canonicalJson({ type: story[1].type, data: withoutHash }))
      .digest('hex');
    expect(hash).toBe(expected);
    expect(hashOf(story[1].type, story[1].data)).toBe(expected);
  });

  it('an untouched history verifies', () => {
    expect(verifyChain(story)).toEqual({ intact: true, length: 3, head: story[2].data.hash });
  });

  it('a rewritten reason is the first broken link', () => {
    expect(verifyChain(tampered(1, (data) => (data.reason = 'nothing to see')))).toMatchObject({
      intact: false,
      brokenAt: 1,
      problem: 'hash-mismatch',
    });
  });

  it('a rewritten event whose hash was recomputed breaks the link after it', () => {
    const rewritten = tampered(1, (data) => {
      data.after = 'owner';
      data.hash = hashOf('access.role.granted.v1', data);
    });
    expect(verifyChain(rewritten)).toMatchObject({ intact: false, brokenAt: 2, problem: 'prev-hash-mismatch' });
  });

  it('a dropped event breaks the chain where it was', () => {
    expect(verifyChain([story[0], story[2]])).toMatchObject({ intact: false, brokenAt: 1, problem: 'prev-hash-mismatch' });
  });

  it('a changed event type breaks the link', () => {
    const retyped: DomainEvent<string, ChainLinks>[] = story.map((event, i) => (i === 2 ? { ...event, type: 'access.role.changed.v1' } : event));
    expect(verifyChain(retyped)).toMatchObject({ intact: false, brokenAt: 2, problem: 'hash-mismatch' });
  });
});
