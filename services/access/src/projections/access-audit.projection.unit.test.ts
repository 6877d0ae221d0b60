import type { ProjectAccessEvent } from '@cairn/contracts';
import { projectionSpec, storedEvents } from '@cairn/testing';
import { baseLevelChanged, created, granted, history, LAB, minute, revoked, transferred } from '../domain/testing/project-access.fixtures';
import { accessAuditProjection } from './access-audit.projection';

/** "GET /api/audit/access — access-change history, oldest first, with actor, reason, before and after". */

const log = storedEvents({ firstTime: minute(30) });
const stored = ({ type, data }: ProjectAccessEvent) => log.event(type, data);

/** What the entry of any event of a project's access stream records: the event, the decision's time and actor, the chain links. */
function recorded(event: ReturnType<typeof stored>) {
  const { data } = event;
  return { _id: event.id, position: event.position, type: event.type, at: new Date(data.at), project: data.projectId, actor: data.actor, prevHash: data.prevHash, hash: data.hash };
}

describe('access audit: one entry per access event, who made it, when and why', () => {
  it('a project’s access events record the decision’s time, the people they name, before and after, and the hash chain', () => {
    const [initialized, grantedBob, levelChanged, revokedBob] = history(
      created('lab', 'ada', 'viewer'),
      granted('ada', 'bob', 'viewer', 'experimenter', minute(1), { reason: 'runs the scans', previewId: 'preview-1' }),
      baseLevelChanged('ada', 'viewer', 'commenter', minute(2)),
      revoked('ada', 'bob', 'experimenter', 'commenter', minute(3)),
    ).map(stored);

    projectionSpec(accessAuditProjection)
      .when([initialized, grantedBob, levelChanged, revokedBob])
      .then([
        {
          ...recorded(initialized),
          subject: 'role',
          lab: LAB,
          scheme: 'lab',
          baseLevel: 'viewer',
          users: ['ada'],
          before: null,
          after: 'owner',
        },
        {
          ...recorded(grantedBob),
          reason: 'runs the scans',
          previewId: 'preview-1',
          subject: 'role',
          users: ['bob'],
          before: 'viewer',
          after: 'experimenter',
        },
        {
          ...recorded(levelChanged),
          subject: 'base-level',
          users: [],
          before: 'viewer',
          after: 'commenter',
        },
        {
          ...recorded(revokedBob),
          subject: 'role',
          users: ['bob'],
          before: 'experimenter',
          after: 'commenter',
        },
      ]);
  });

  it('an ownership transfer names both owners: from whom to whom, and what each had and keeps', () => {
    const [initialized, handedOver] = history(
      created('facility', 'olivia', null),
      transferred('olivia', 'mehdi', 'member', 'manager', minute(5), { reason: 'new PI' }),
    ).map(stored);
    projectionSpec(accessAuditProjection)
      .given([initialized])
      .when([handedOver])
      .then((documents) =>
        expect(documents.find((document) => document._id === handedOver.id)).toEqual({
          ...recorded(handedOver),
          reason: 'new PI',
          subject: 'ownership',
          users: ['mehdi', 'olivia'],
          before: 'olivia',
          after: 'mehdi',
          newOwnerBefore: 'member',
          previousOwnerAfter: 'manager',
        }),
      );
  });

  it('an invitation by e-mail is an entry of its own: sent, then withdrawn or accepted, naming the address and the role', () => {
    const invitation = { projectId: 'p1', invitation: 'inv-1', email: 'ines@partner.example', role: 'member' };
    const [initialized, sent, accepted] = history(
      created('facility', 'olivia', null),
      { type: 'access.invitation.sent.v1', data: { ...invitation, actor: 'manon', at: minute(5), reason: 'partner beamline' } },
      { type: 'access.invitation.accepted.v1', data: { ...invitation, actor: 'ines', at: minute(7), user: 'ines', invitedBy: 'manon' } },
    ).map(stored);
    const withdrawn = stored(
      history(created('facility', 'olivia', null), { type: 'access.invitation.withdrawn.v1', data: { ...invitation, actor: 'olivia', at: minute(6) } })[1],
    );
    const fields = { invitation: 'inv-1', email: 'ines@partner.example', role: 'member', subject: 'invitation' };
    projectionSpec(accessAuditProjection)
      .given([initialized])
      .when([sent, accepted, withdrawn])
      .then((documents) =>
        expect(documents.filter((document) => document.subject === 'invitation').sort((a, b) => Number(a.position) - Number(b.position))).toEqual([
          { ...recorded(sent), ...fields, reason: 'partner beamline', users: [], before: null, after: 'pending' },
          { ...recorded(accepted), ...fields, users: ['ines'], before: 'pending', after: 'accepted' },
          { ...recorded(withdrawn), ...fields, users: [], before: 'pending', after: 'withdrawn' },
        ]),
      );
  });

  it('a lab’s creation and its membership changes are entries of the lab, at the time of their event', () => {
    const labCreated = log.event('access.lab.created.v1', { lab: LAB, name: 'Sundog', slug: 'sundog', actor: 'u-admin' });
    const joined = log.event('access.lab.member-added.v1', { lab: LAB, userId: 'bob', username: 'bob', displayName: 'Bob', admin: true, actor: 'u-admin' });
    const left = log.event('access.lab.member-removed.v1', { lab: LAB, userId: 'bob', username: 'bob', displayName: 'Bob', actor: 'u-admin', reason: 'moved on' });
    const membership = { subject: 'lab-membership', lab: LAB, actor: 'u-admin', users: ['bob'] };
    projectionSpec(accessAuditProjection)
      .when([labCreated, joined, left])
      .then([
        { _id: labCreated.id, position: labCreated.position, type: labCreated.type, at: new Date(labCreated.time), subject: 'lab', lab: LAB, actor: 'u-admin', users: [], before: null, after: 'Sundog' },
        { _id: joined.id, position: joined.position, type: joined.type, at: new Date(joined.time), ...membership, before: null, after: 'admin' },
        { _id: left.id, position: left.position, type: left.type, at: new Date(left.time), ...membership, before: 'member', after: null, reason: 'moved on' },
      ]);
  });
});
