import type { ProjectAccessEvent } from '@cairn/contracts';
import { projectionSpec, storedEvents } from '@cairn/testing';
import { baseLevelChanged, created, granted, history, LAB, minute, PROJECT, revoked, transferred } from '../domain/testing/project-access.fixtures';
import { accessAuditProjection } from './access-audit.projection';

/** "GET /api/audit/access — access-change history, oldest first, with actor, reason, before and after". */

const log = storedEvents({ firstTime: minute(30) });
const stored = ({ type, data }: ProjectAccessEvent) => log.event(type, data);

describe('access audit: one entry per access event, who made it, when and why', () => {
  it('a project’s access events record the decision’s time, the people they name, before and after, and the hash chain', () => {
    const [initialized, grantedBob, levelChanged, revokedBob] = history(
      created('lab', 'ada', 'viewer'),
      granted('ada', 'bob', 'viewer', 'experimenter', minute(1), { reason: 'runs the scans', previewId: 'preview-1' }),
      baseLevelChanged('ada', 'viewer', 'commenter', minute(2)),
      revoked('ada', 'bob', 'experimenter', 'commenter', minute(3)),
    ).map(stored);
    const chain = (event: typeof initialized) => ({ prevHash: event.data.prevHash, hash: event.data.hash });

    projectionSpec(accessAuditProjection)
      .when([initialized, grantedBob, levelChanged, revokedBob])
      .then([
        {
          _id: initialized.id,
          position: initialized.position,
          type: 'access.project.initialized.v1',
          at: new Date(minute(0)),
          project: PROJECT,
          actor: 'ada',
          ...chain(initialized),
          subject: 'role',
          lab: LAB,
          scheme: 'lab',
          baseLevel: 'viewer',
          users: ['ada'],
          before: null,
          after: 'owner',
        },
        {
          _id: grantedBob.id,
          position: grantedBob.position,
          type: 'access.role.granted.v1',
          at: new Date(minute(1)),
          project: PROJECT,
          actor: 'ada',
          ...chain(grantedBob),
          reason: 'runs the scans',
          previewId: 'preview-1',
          subject: 'role',
          users: ['bob'],
          before: 'viewer',
          after: 'experimenter',
        },
        {
          _id: levelChanged.id,
          position: levelChanged.position,
          type: 'access.base-level.changed.v1',
          at: new Date(minute(2)),
          project: PROJECT,
          actor: 'ada',
          ...chain(levelChanged),
          subject: 'base-level',
          users: [],
          before: 'viewer',
          after: 'commenter',
        },
        {
          _id: revokedBob.id,
          position: revokedBob.position,
          type: 'access.role.revoked.v1',
          at: new Date(minute(3)),
          project: PROJECT,
          actor: 'ada',
          ...chain(revokedBob),
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
          _id: handedOver.id,
          position: handedOver.position,
          type: 'access.ownership.transferred.v1',
          at: new Date(minute(5)),
          project: PROJECT,
          actor: 'olivia',
          prevHash: handedOver.data.prevHash,
          hash: handedOver.data.hash,
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
