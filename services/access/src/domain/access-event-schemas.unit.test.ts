import { generateKeyPairSync } from 'node:crypto';
import { accessEvents, validateOnPublish, type Decider, type DomainEvent } from '@cairn/contracts';
import { labDecider } from './lab';
import { projectAccessDecider, type ProjectAccessCommand } from './project-access';
import { auditSigner, chainLinks } from './audit-bundle/audit-chain';
import { chainHeadDecider } from './audit-bundle/chain-head';
import { verifyChain } from './hash-chain';
import { inLab, minute, setRole } from './testing/project-access.fixtures';

/** Runs commands through a decider, folding each one's events in, and returns every event written. */
function run<C, S, E extends DomainEvent>(decider: Decider<C, S, E>, commands: C[]): E[] {
  let state = decider.initialState();
  const written: E[] = [];
  for (const command of commands) {
    const events = decider.decide(command, state);
    state = events.reduce(decider.evolve, state);
    written.push(...events);
  }
  return written;
}

const person = (userId: string) => ({ userId, username: userId, email: `${userId}@lab.example`, displayName: userId.toUpperCase() });
const labStory = run(labDecider, [
  { type: 'CreateLab', lab: 'lab1', name: 'Optics', slug: 'optics', creator: person('fiona'), creatorIsFacilityAdmin: true },
  { type: 'AddLabMember', actor: 'fiona', member: person('mira'), admin: false },
  { type: 'RemoveLabMember', actor: 'fiona', userId: 'mira', reason: 'left' },
]);

const init = (scheme: string, baseLevel?: string): ProjectAccessCommand => ({
  type: 'InitializeProjectAccess',
  projectId: `p-${scheme}`,
  lab: 'lab1',
  scheme,
  ...(baseLevel !== undefined && { baseLevel }),
  creator: 'ola',
  now: minute(0),
});
const [ola, eve] = ['ola', 'eve'].map(inLab);
const labProjectStory = run(projectAccessDecider, [
  init('lab', 'viewer'),
  setRole(ola, eve, 'experimenter', minute(1), { reason: 'imaging', previewId: 'pv-1' }),
  setRole(ola, eve, 'none', minute(2)),
  { type: 'RevokeRole', actor: ola, user: eve, now: minute(3) },
  { type: 'ChangeBaseLevel', actor: ola, level: 'commenter', now: minute(4) },
]);
const facilityProjectStory = run(projectAccessDecider, [
  init('facility'),
  setRole(ola, eve, 'member', minute(1)),
  { type: 'TransferOwnership', actor: ola, to: eve, now: minute(2), reason: 'handover' },
  { type: 'InviteByEmail', actor: eve, invitation: 'inv-1', email: 'ines@partner.example', role: 'member', now: minute(3), reason: 'partner' },
  { type: 'WithdrawInvitation', actor: eve, invitation: 'inv-1', now: minute(4) },
  { type: 'InviteByEmail', actor: eve, invitation: 'inv-2', email: 'ines@partner.example', role: 'viewer', now: minute(5) },
  { type: 'AcceptInvitation', invitation: 'inv-2', user: { id: 'ines', isLabMember: false }, now: minute(6) },
]);
const signer = auditSigner(generateKeyPairSync('ed25519').privateKey);
// The lab's creation signed, then the commit of its other events.
const signedHeadStory = run(chainHeadDecider, ([[labStory.slice(0, 1), 0], [labStory, 1]] as const).map(([events, committedFrom]) => {
  const links = chainLinks(events.map((event, streamversion) => ({ id: `e-${streamversion}`, type: event.type, time: minute(streamversion), streamversion, data: event.data })));
  const signed = signer.sign({ stream: 'access_lab-lab1', length: links.length, head: links[links.length - 1], signedAt: minute(5) });
  return { type: 'SignHead' as const, links, signed, committedFrom };
}));
const everyStory = [...labStory, ...labProjectStory, ...facilityProjectStory, ...signedHeadStory];

describe('access events: docs/api.md "Events" lists them, each with a JSON Schema', () => {
  it('defines exactly the access events docs/api.md names', () => {
    expect(accessEvents.map((definition) => definition.type)).toEqual([
      'access.lab.created.v1',
      'access.lab.member-added.v1',
      'access.lab.member-removed.v1',
      'access.project.initialized.v1',
      'access.role.granted.v1',
      'access.role.changed.v1',
      'access.role.revoked.v1',
      'access.base-level.changed.v1',
      'access.ownership.transferred.v1',
      'access.invitation.sent.v1',
      'access.invitation.withdrawn.v1',
      'access.invitation.accepted.v1',
      'access.chain.head-signed.v1',
    ]);
  });

  it('the stories below produce every access event type', () => {
    expect(new Set(everyStory.map((event) => event.type))).toEqual(new Set(accessEvents.map((definition) => definition.type)));
  });

  it.each(everyStory.map((event) => [event.type, event] as const))('what the deciders write matches its schema: %s', (_type, event) => {
    expect(() => validateOnPublish(event)).not.toThrow();
  });

  it.each(everyStory.map((event) => [event.type, event] as const))('the schema refuses unknown fields: %s', (_type, event) => {
    expect(() => validateOnPublish({ type: event.type, data: { ...event.data, extra: true } })).toThrow(/must NOT have additional properties/);
  });

  it('project access events carry "actor, reason, before/after role, and prevHash"', () => {
    expect(labProjectStory[1].data).toMatchObject({ actor: 'ola', reason: 'imaging', previewId: 'pv-1', before: 'viewer', after: 'experimenter' });
    expect(verifyChain(labProjectStory)).toMatchObject({ intact: true, length: 5 });
    expect(verifyChain(facilityProjectStory)).toMatchObject({ intact: true, length: 8 });
  });
});
