import { deciderSpec } from '@cairn/testing';
import { projectAccessDecider } from './project-access';
import {
  changeBaseLevel,
  changed,
  continuing,
  created,
  granted,
  history,
  inLab,
  minute,
  outsider,
  revokeRole,
  revoked,
  setRole,
  transferOwnership,
  transferred,
} from './testing/project-access.fixtures';

// The facility guide (docs/requirements.md F-5, F-6, F-7, F-8, F-9, F-11, F-13) and docs/api.md's facility granting rules.
const spec = deciderSpec(projectAccessDecider);
const [owner, manager, member, viewer] = ['olivia', 'manon', 'mehdi', 'vikram'].map(inLab);
const newcomer = inLab('nadia');

/** Olivia created the project; Manon manages it, Mehdi is a member and Vikram a viewer. */
const team = history(
  created('facility', owner.id, null),
  granted(owner.id, manager.id, null, 'manager', minute(1)),
  granted(owner.id, member.id, null, 'member', minute(2)),
  granted(owner.id, viewer.id, null, 'viewer', minute(3)),
);

describe('facility scheme: project creation', () => {
  it('"The project creator becomes Owner by default"', () => {
    spec
      .given([])
      .when({ type: 'InitializeProjectAccess', projectId: 'p1', lab: 'lab1', scheme: 'facility', creator: owner.id, now: minute(0) })
      .then(history(created('facility', owner.id, null)));
  });

  it('has no base level: "Add people via their username or e-mail adress and assign them their intended role"', () => {
    spec
      .given([])
      .when({ type: 'InitializeProjectAccess', projectId: 'p1', lab: 'lab1', scheme: 'facility', baseLevel: 'viewer', creator: owner.id, now: minute(0) })
      .thenThrows('facility.no-base-level', 'invalid');
  });

  it('initializes once: a repeated project creation event changes nothing', () => {
    spec
      .given(team)
      .when({ type: 'InitializeProjectAccess', projectId: 'p1', lab: 'lab1', scheme: 'facility', creator: member.id, now: minute(9) })
      .then([]);
  });

  it('refuses changes to a project whose creation it has not seen', () => {
    spec.given([]).when(setRole(owner, member, 'viewer', minute(1))).thenThrows('access.project-unknown', 'not-found');
  });

  it('refuses a scheme that does not exist', () => {
    spec
      .given([])
      .when({ type: 'InitializeProjectAccess', projectId: 'p1', lab: 'lab1', scheme: 'guild', creator: owner.id, now: minute(0) })
      .thenThrows('access.unknown-scheme', 'invalid');
  });
});

describe('facility scheme: "a member may add viewers"', () => {
  it('a member adds a viewer', () => {
    spec
      .given(team)
      .when(setRole(member, newcomer, 'viewer', minute(10), { reason: 'reviews the render' }))
      .then(continuing(team, granted(member.id, newcomer.id, null, 'viewer', minute(10), { reason: 'reviews the render' })));
  });

  it.each(['member', 'manager'])('a member may not add a %s', (role) => {
    spec.given(team).when(setRole(member, newcomer, role, minute(10))).thenThrows('facility.member-adds-viewers-only', 'forbidden');
  });

  it('a member may not change a viewer into a member ("Cannot manage Managers", and changes are for managers)', () => {
    spec.given(team).when(setRole(member, viewer, 'member', minute(10))).thenThrows('facility.member-adds-viewers-only', 'forbidden');
  });

  it('a member may not remove a viewer', () => {
    spec.given(team).when(revokeRole(member, viewer, minute(10))).thenThrows('facility.member-adds-viewers-only', 'forbidden');
  });
});

describe('facility scheme: "a manager may add, change and remove viewers and members"', () => {
  it('a manager adds a member', () => {
    spec
      .given(team)
      .when(setRole(manager, newcomer, 'member', minute(10)))
      .then(continuing(team, granted(manager.id, newcomer.id, null, 'member', minute(10))));
  });

  it('a manager changes a viewer into a member', () => {
    spec
      .given(team)
      .when(setRole(manager, viewer, 'member', minute(10), { reason: 'runs jobs now', previewId: 'pv-1' }))
      .then(continuing(team, changed(manager.id, viewer.id, 'viewer', 'member', minute(10), { reason: 'runs jobs now', previewId: 'pv-1' })));
  });

  it('a manager removes a member', () => {
    spec
      .given(team)
      .when(revokeRole(manager, member, minute(10)))
      .then(continuing(team, revoked(manager.id, member.id, 'member', null, minute(10))));
  });
});

describe('facility scheme: "only the owner manages managers"', () => {
  it('a manager may not add a manager', () => {
    spec.given(team).when(setRole(manager, newcomer, 'manager', minute(10))).thenThrows('facility.only-owner-manages-managers', 'forbidden');
  });

  it('a manager may not promote a member to manager', () => {
    spec.given(team).when(setRole(manager, member, 'manager', minute(10))).thenThrows('facility.only-owner-manages-managers', 'forbidden');
  });

  it('a manager may not demote themselves or another manager', () => {
    spec.given(team).when(setRole(manager, manager, 'member', minute(10))).thenThrows('facility.only-owner-manages-managers', 'forbidden');
  });

  it('the owner adds a manager ("Add at least one other Manager as backup")', () => {
    spec
      .given(team)
      .when(setRole(owner, newcomer, 'manager', minute(10)))
      .then(continuing(team, granted(owner.id, newcomer.id, null, 'manager', minute(10))));
  });

  it('the owner demotes a manager', () => {
    spec
      .given(team)
      .when(setRole(owner, manager, 'member', minute(10)))
      .then(continuing(team, changed(owner.id, manager.id, 'manager', 'member', minute(10))));
  });

  it('the owner removes a manager', () => {
    spec
      .given(team)
      .when(revokeRole(owner, manager, minute(10)))
      .then(continuing(team, revoked(owner.id, manager.id, 'manager', null, minute(10))));
  });
});

describe('facility scheme: "Viewer: Read-only access... cannot run analysis or modify anything"', () => {
  it('a viewer may not add anyone', () => {
    spec.given(team).when(setRole(viewer, newcomer, 'viewer', minute(10))).thenThrows('facility.viewer-read-only', 'forbidden');
  });

  it('someone without a role on the project manages nobody', () => {
    spec.given(team).when(setRole(inLab('stranger'), newcomer, 'viewer', minute(10))).thenThrows('access.no-role-on-project', 'forbidden');
  });
});

describe('facility scheme: "There is exactly one Owner per project"', () => {
  it('the owner may not make someone a second owner', () => {
    spec.given(team).when(setRole(owner, manager, 'owner', minute(10))).thenThrows('facility.single-owner-changed-only-by-transfer', 'forbidden');
  });

  it('the owner may not step down by changing their own role', () => {
    spec.given(team).when(setRole(owner, owner, 'manager', minute(10))).thenThrows('facility.single-owner-changed-only-by-transfer', 'forbidden');
  });

  it('nobody removes the owner', () => {
    spec.given(team).when(revokeRole(manager, owner, minute(10))).thenThrows('facility.single-owner-changed-only-by-transfer', 'forbidden');
  });
});

describe('facility scheme: "The project creator becomes Owner by default but can transfer ownership"', () => {
  it('the owner hands over to a member and becomes manager ("the old owner becomes manager")', () => {
    spec
      .given(team)
      .when(transferOwnership(owner, member, minute(10), { reason: 'Olivia moves to another institute' }))
      .then(continuing(team, transferred(owner.id, member.id, 'member', 'manager', minute(10), { reason: 'Olivia moves to another institute' })));
  });

  const handedOver = continuing(team, transferred(owner.id, member.id, 'member', 'manager', minute(10)));
  const afterTransfer = [...team, ...handedOver];

  it('after a transfer the new owner manages managers', () => {
    spec
      .given(afterTransfer)
      .when(setRole(member, manager, 'member', minute(11)))
      .then(continuing(afterTransfer, changed(member.id, manager.id, 'manager', 'member', minute(11))));
  });

  it('after a transfer the former owner, now manager, no longer manages managers', () => {
    spec.given(afterTransfer).when(setRole(owner, newcomer, 'manager', minute(11))).thenThrows('facility.only-owner-manages-managers', 'forbidden');
  });

  it('only the owner transfers', () => {
    spec.given(team).when(transferOwnership(manager, member, minute(10))).thenThrows('facility.only-owner-transfers', 'forbidden');
  });

  it('ownership goes only to a lab member', () => {
    spec.given(team).when(transferOwnership(owner, outsider('ext'), minute(10))).thenThrows('access.grantee-not-in-lab', 'conflict');
  });

  it('the owner cannot transfer to themselves', () => {
    spec.given(team).when(transferOwnership(owner, owner, minute(10))).thenThrows('access.transfer-to-self', 'invalid');
  });
});

describe('facility scheme: general granting rules', () => {
  it('"Click \'add permission\' to add someone in the lab to the project": nobody outside the lab is given a role', () => {
    spec.given(team).when(setRole(owner, outsider('ext'), 'viewer', minute(10))).thenThrows('access.grantee-not-in-lab', 'conflict');
  });

  it('"You cannot remove your own permission"', () => {
    spec.given(team).when(revokeRole(manager, manager, minute(10))).thenThrows('access.no-self-removal', 'forbidden');
  });

  it('giving someone the role they already have changes nothing', () => {
    spec.given(team).when(setRole(manager, member, 'member', minute(10))).then([]);
  });

  it('removing a permission nobody holds is refused as not found', () => {
    spec.given(team).when(revokeRole(owner, newcomer, minute(10))).thenThrows('access.no-explicit-permission', 'not-found');
  });

  it('refuses a role the scheme does not have', () => {
    spec.given(team).when(setRole(owner, newcomer, 'commenter', minute(10))).thenThrows('facility.unknown-role', 'invalid');
  });

  it('has no base level to change', () => {
    spec.given(team).when(changeBaseLevel(owner, 'viewer', minute(10))).thenThrows('facility.no-base-level', 'invalid');
  });
});
