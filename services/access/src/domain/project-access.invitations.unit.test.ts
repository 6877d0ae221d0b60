import type { ProjectAccessEvent } from '@cairn/contracts';
import { deciderSpec } from '@cairn/testing';
import { projectAccessDecider, type AcceptInvitation, type InviteByEmail, type Person, type WithdrawInvitation } from './project-access';
import { continuing, created, granted, history, inLab, minute, outsider, PROJECT } from './testing/project-access.fixtures';

// Issue #21 point 4 and the facility jobs guide: "Add people via their username or e-mail adress and
// assign them their intended role", for an address nobody has signed in with yet.
const spec = deciderSpec(projectAccessDecider);
const [owner, manager, member, viewer] = ['olivia', 'manon', 'mehdi', 'vikram'].map(inLab);
const ines = outsider('ines');
const INVITATION = 'inv-1';
const EMAIL = 'Ines@Partner.example';

const team = history(
  created('facility', owner.id, null),
  granted(owner.id, manager.id, null, 'manager', minute(1)),
  granted(owner.id, member.id, null, 'member', minute(2)),
  granted(owner.id, viewer.id, null, 'viewer', minute(3)),
);

const invite = (actor: Person, role: string, now = minute(5), email = EMAIL, invitation = INVITATION): InviteByEmail => ({
  type: 'InviteByEmail',
  actor,
  invitation,
  email,
  role,
  now,
  reason: 'partner beamline scientist',
});
const withdraw = (actor: Person, now = minute(6)): WithdrawInvitation => ({ type: 'WithdrawInvitation', actor, invitation: INVITATION, now });
const accept = (user: Person, now = minute(7)): AcceptInvitation => ({ type: 'AcceptInvitation', invitation: INVITATION, user, now });

const sent = (actor: string, role: string, at = minute(5)) =>
  ({
    type: 'access.invitation.sent.v1',
    data: { projectId: PROJECT, actor, reason: 'partner beamline scientist', at, invitation: INVITATION, email: EMAIL, role },
  }) as const;

const invited = (actor = manager.id, role = 'member'): ProjectAccessEvent[] => [...team, ...continuing(team, sent(actor, role))];

describe('facility scheme: invitations by e-mail', () => {
  it('a manager invites an address for a role: the invitation is pending, an access event in the chain', () => {
    spec.given(team).when(invite(manager, 'member')).then(continuing(team, sent(manager.id, 'member')));
  });

  it('follows the grant rules: "Manager: Can add or remove Members", not Managers', () => {
    spec.given(team).when(invite(manager, 'manager')).thenThrows('facility.only-owner-manages-managers', 'forbidden');
  });

  it('a member may invite viewers only; a viewer nobody', () => {
    spec.given(team).when(invite(member, 'viewer')).then(continuing(team, sent(member.id, 'viewer')));
    spec.given(team).when(invite(member, 'member')).thenThrows('facility.member-adds-viewers-only', 'forbidden');
    spec.given(team).when(invite(viewer, 'viewer')).thenThrows('facility.viewer-read-only', 'forbidden');
  });

  it('never invites an owner: "There is exactly one Owner per project"', () => {
    spec.given(team).when(invite(owner, 'owner')).thenThrows('facility.single-owner-changed-only-by-transfer', 'forbidden');
  });

  it('refuses a second pending invitation of the same address, in any case', () => {
    spec.given(invited()).when(invite(owner, 'viewer', minute(6), 'ines@partner.EXAMPLE', 'inv-2')).thenThrows('access.invitation-pending', 'conflict');
  });

  it('the sign-in of the address, verified, accepts it: the role is granted as its inviter decided, naming the invitation', () => {
    const past = invited();
    spec
      .given(past)
      .when(accept(ines))
      .then(
        continuing(
          past,
          {
            type: 'access.invitation.accepted.v1',
            data: { projectId: PROJECT, actor: ines.id, at: minute(7), invitation: INVITATION, email: EMAIL, role: 'member', user: ines.id, invitedBy: manager.id },
          },
          granted(manager.id, ines.id, null, 'member', minute(7), {
            reason: `accepted invitation ${INVITATION} to ${EMAIL}: partner beamline scientist`,
          }),
        ),
      );
  });

  it('an invitee who already holds an explicit permission keeps it: the invitation only ends', () => {
    const past = invited(owner.id, 'viewer');
    spec
      .given(past)
      .when(accept(member))
      .then(
        continuing(past, {
          type: 'access.invitation.accepted.v1',
          data: { projectId: PROJECT, actor: member.id, at: minute(7), invitation: INVITATION, email: EMAIL, role: 'viewer', user: member.id, invitedBy: owner.id },
        }),
      );
  });

  it('is withdrawn by someone who may grant its role, and then accepts nothing', () => {
    const past = invited();
    const withdrawn = continuing(past, {
      type: 'access.invitation.withdrawn.v1',
      data: { projectId: PROJECT, actor: owner.id, at: minute(6), invitation: INVITATION, email: EMAIL, role: 'member' },
    });
    spec.given(past).when(withdraw(owner)).then(withdrawn);
    spec.given([...past, ...withdrawn]).when(accept(ines)).thenThrows('access.invitation-unknown', 'not-found');
  });

  it('is not withdrawn by someone who may not grant its role', () => {
    spec.given(invited()).when(withdraw(member)).thenThrows('facility.member-adds-viewers-only', 'forbidden');
  });

  it('is accepted once', () => {
    const past = invited();
    const acceptance = projectAccessDecider.decide(accept(ines), past.reduce(projectAccessDecider.evolve, projectAccessDecider.initialState()));
    spec.given([...past, ...acceptance]).when(accept(ines, minute(8))).thenThrows('access.invitation-unknown', 'not-found');
  });
});

describe('lab scheme: no invitations by e-mail', () => {
  it('keeps the lab guide\'s rule: "add someone in the lab to the project"', () => {
    const labProject = history(created('lab', owner.id, 'none'));
    spec.given(labProject).when(invite(owner, 'viewer')).thenThrows('lab.no-invitations-by-email', 'conflict');
  });
});
