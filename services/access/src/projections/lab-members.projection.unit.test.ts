import { projectionSpec, storedEvents } from '@cairn/testing';
import { labMembersProjection } from './lab-members.projection';

const log = storedEvents();
const added = (lab: string, userId: string, extra: { admin?: boolean; email?: string } = {}) =>
  log.event('access.lab.member-added.v1', {
    lab,
    userId,
    username: `${userId.replace('u-', '')}`,
    displayName: `Dr ${userId.replace('u-', '')}`,
    admin: extra.admin ?? false,
    actor: 'u-admin',
    ...(extra.email !== undefined && { email: extra.email }),
  });
const removed = (lab: string, userId: string) =>
  log.event('access.lab.member-removed.v1', {
    lab,
    userId,
    username: userId.replace('u-', ''),
    displayName: `Dr ${userId.replace('u-', '')}`,
    actor: 'u-admin',
    reason: 'left the group',
  });

const bobInSundog = added('sundog', 'u-Bob', { email: 'bob@example.org' });
const adaAdmin = added('sundog', 'u-ada', { admin: true });
const bobInOther = added('other', 'u-Bob');

describe('lab members: "POST /api/labs/:lab/members — add a person to the lab"', () => {
  it('one document per lab and person, with what the directory knew of them; the username lower-cased for the ordered list', () => {
    projectionSpec(labMembersProjection)
      .when([bobInSundog, adaAdmin, bobInOther])
      .then([
        { _id: 'other:u-Bob', lab: 'other', userId: 'u-Bob', username: 'Bob', usernameLower: 'bob', displayName: 'Dr Bob', admin: false },
        { _id: 'sundog:u-Bob', lab: 'sundog', userId: 'u-Bob', username: 'Bob', usernameLower: 'bob', displayName: 'Dr Bob', admin: false, email: 'bob@example.org' },
        { _id: 'sundog:u-ada', lab: 'sundog', userId: 'u-ada', username: 'ada', usernameLower: 'ada', displayName: 'Dr ada', admin: true },
      ]);
  });
});

describe('lab members: "DELETE /api/labs/:lab/members/:userRef — remove from the lab"', () => {
  it('removal takes the person out of that lab only', () => {
    projectionSpec(labMembersProjection)
      .given([bobInSundog, adaAdmin, bobInOther])
      .when([removed('sundog', 'u-Bob')])
      .then([
        { _id: 'other:u-Bob', lab: 'other', userId: 'u-Bob', username: 'Bob', usernameLower: 'bob', displayName: 'Dr Bob', admin: false },
        { _id: 'sundog:u-ada', lab: 'sundog', userId: 'u-ada', username: 'ada', usernameLower: 'ada', displayName: 'Dr ada', admin: true },
      ]);
  });

  it('someone removed and added again is a member again', () => {
    projectionSpec(labMembersProjection)
      .given([bobInOther])
      .when([removed('other', 'u-Bob'), added('other', 'u-Bob', { admin: true })])
      .then([{ _id: 'other:u-Bob', lab: 'other', userId: 'u-Bob', username: 'Bob', usernameLower: 'bob', displayName: 'Dr Bob', admin: true }]);
  });
});
