import { deciderSpec } from '@cairn/testing';
import { projectAccessDecider } from './project-access';
import {
  baseLevelChanged,
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
} from './testing/project-access.fixtures';

// The lab guide (docs/requirements.md L-7, L-8, L-13, L-14, L-20, L-21, L-22) and docs/api.md's lab granting rules.
const spec = deciderSpec(projectAccessDecider);
const [owner, coOwner, experimenter, commenter, labMember] = ['ola', 'otto', 'eve', 'cal', 'ben'].map(inLab);
const guest = outsider('gus');

/** Ola created the project with base level viewer; Eve experiments, Cal comments, Ben is only in the lab. */
const project = history(
  created('lab', owner.id, 'viewer'),
  granted(owner.id, experimenter.id, 'viewer', 'experimenter', minute(1)),
  granted(owner.id, commenter.id, 'viewer', 'commenter', minute(2)),
);
const twoOwners = [...project, ...continuing(project, granted(owner.id, coOwner.id, 'viewer', 'owner', minute(3)))];

describe('lab scheme: project creation', () => {
  it('"The project creator is its owner by default"; "you can choose the base level for the project"', () => {
    spec
      .given([])
      .when({ type: 'InitializeProjectAccess', projectId: 'p1', lab: 'lab1', scheme: 'lab', baseLevel: 'viewer', creator: owner.id, now: minute(0) })
      .then(history(created('lab', owner.id, 'viewer')));
  });

  it('without a chosen base level the project is private to its owner ("useful for managing your own private work")', () => {
    spec
      .given([])
      .when({ type: 'InitializeProjectAccess', projectId: 'p1', lab: 'lab1', scheme: 'lab', creator: owner.id, now: minute(0) })
      .then(history(created('lab', owner.id, 'none')));
  });

  it('owner is never a base level: owners are always explicit, so "at least one owner" never depends on lab membership', () => {
    spec
      .given([])
      .when({ type: 'InitializeProjectAccess', projectId: 'p1', lab: 'lab1', scheme: 'lab', baseLevel: 'owner', creator: owner.id, now: minute(0) })
      .thenThrows('lab.base-level-below-owner', 'invalid');
  });
});

describe('lab scheme: "owners add, change and remove anyone at any level"', () => {
  it('"Click change level ... to create an explicit permission for someone with a base level"', () => {
    spec
      .given(project)
      .when(setRole(owner, labMember, 'experimenter', minute(10), { reason: 'joins the imaging work' }))
      .then(continuing(project, granted(owner.id, labMember.id, 'viewer', 'experimenter', minute(10), { reason: 'joins the imaging work' })));
  });

  it('"other users can be given this permission": an owner makes someone a second owner', () => {
    spec
      .given(project)
      .when(setRole(owner, coOwner, 'owner', minute(10)))
      .then(continuing(project, granted(owner.id, coOwner.id, 'viewer', 'owner', minute(10))));
  });

  it('"Click change level to alter the level of an explicit permission"', () => {
    spec
      .given(project)
      .when(setRole(owner, commenter, 'experimenter', minute(10)))
      .then(continuing(project, changed(owner.id, commenter.id, 'commenter', 'experimenter', minute(10))));
  });

  it('"Click remove to remove an explicit permission from a user": they keep the base level', () => {
    spec
      .given(project)
      .when(revokeRole(owner, experimenter, minute(10)))
      .then(continuing(project, revoked(owner.id, experimenter.id, 'experimenter', 'viewer', minute(10))));
  });

  it('removing the permission of someone who left the lab leaves them no role', () => {
    spec
      .given(project)
      .when(revokeRole(owner, outsider(experimenter.id), minute(10)))
      .then(continuing(project, revoked(owner.id, experimenter.id, 'experimenter', null, minute(10))));
  });

  it('an owner removes another owner, one owner remaining', () => {
    spec
      .given(twoOwners)
      .when(revokeRole(owner, coOwner, minute(10)))
      .then(continuing(twoOwners, revoked(owner.id, coOwner.id, 'owner', 'viewer', minute(10))));
  });
});

describe('lab scheme: an explicit permission overrides the base level', () => {
  it('"Other users can be granted explicit permission to access the project, with a specific level": even below the base level', () => {
    spec
      .given(project)
      .when(setRole(owner, labMember, 'none', minute(10), { reason: 'conflict of interest' }))
      .then(continuing(project, granted(owner.id, labMember.id, 'viewer', 'none', minute(10), { reason: 'conflict of interest' })));
  });
});

describe('lab scheme: "Experimenter ... no rights to alter the project or its users"', () => {
  it.each([
    ['an experimenter', experimenter],
    ['a commenter', commenter],
    ['a lab member with the base level', labMember],
  ])('%s may not give anyone a level', (_who, actor) => {
    spec.given(project).when(setRole(actor, inLab('new'), 'viewer', minute(10))).thenThrows('lab.only-owners-manage-access', 'forbidden');
  });

  it('an experimenter may not remove a commenter', () => {
    spec.given(project).when(revokeRole(experimenter, commenter, minute(10))).thenThrows('lab.only-owners-manage-access', 'forbidden');
  });

  it('an experimenter may not raise their own level', () => {
    spec.given(project).when(setRole(experimenter, experimenter, 'owner', minute(10))).thenThrows('lab.only-owners-manage-access', 'forbidden');
  });
});

describe('lab scheme: "A project must have at least one owner"', () => {
  it('the only owner may not step down', () => {
    spec.given(project).when(setRole(owner, owner, 'experimenter', minute(10))).thenThrows('lab.at-least-one-owner', 'conflict');
  });

  it('an owner steps down while another owner remains', () => {
    spec
      .given(twoOwners)
      .when(setRole(owner, owner, 'experimenter', minute(10)))
      .then(continuing(twoOwners, changed(owner.id, owner.id, 'owner', 'experimenter', minute(10))));
  });
});

describe('lab scheme: "You cannot remove your own permission"', () => {
  it('not even an owner with another owner beside them', () => {
    spec.given(twoOwners).when(revokeRole(owner, owner, minute(10))).thenThrows('access.no-self-removal', 'forbidden');
  });
});

describe('lab scheme: "You can\'t remove base level access here: a project owner must alter the project to change the base level"', () => {
  it('removing someone who has only the base level is refused, pointing at the base level', () => {
    const refusal = spec.given(project).when(revokeRole(owner, labMember, minute(10))).thenThrows('lab.base-level-not-removable', 'conflict');
    expect(refusal.message).toContain('change the base level');
  });

  it('an owner changes the base level', () => {
    spec
      .given(project)
      .when(changeBaseLevel(owner, 'commenter', minute(10), { reason: 'open for review', previewId: 'pv-9' }))
      .then(continuing(project, baseLevelChanged(owner.id, 'viewer', 'commenter', minute(10), { reason: 'open for review', previewId: 'pv-9' })));
  });

  it('an experimenter may not change the base level', () => {
    spec.given(project).when(changeBaseLevel(experimenter, 'none', minute(10))).thenThrows('lab.base-level-needs-base-level-manage', 'forbidden');
  });

  it('setting the base level it already has changes nothing', () => {
    spec.given(project).when(changeBaseLevel(owner, 'viewer', minute(10))).then([]);
  });

  it('the base level is never owner', () => {
    spec.given(project).when(changeBaseLevel(owner, 'owner', minute(10))).thenThrows('lab.base-level-below-owner', 'invalid');
  });
});

describe('lab scheme: general granting rules', () => {
  it('"Click \'add permission\' to add someone in the lab to the project": nobody outside the lab', () => {
    spec.given(project).when(setRole(owner, guest, 'viewer', minute(10))).thenThrows('access.grantee-not-in-lab', 'conflict');
  });

  it('giving someone the level they already have changes nothing', () => {
    spec.given(project).when(setRole(owner, experimenter, 'experimenter', minute(10))).then([]);
  });

  it('ownership is shared by granting, not transferred', () => {
    spec.given(project).when(transferOwnership(owner, experimenter, minute(10))).thenThrows('lab.ownership-not-transferable', 'invalid');
  });

  it('refuses a level the scheme does not have', () => {
    spec.given(project).when(setRole(owner, labMember, 'manager', minute(10))).thenThrows('lab.unknown-role', 'invalid');
  });
});
