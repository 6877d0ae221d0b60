import { foldEvents } from '@cairn/contracts';
import { accessOverview, checkAccess, explainAccess, previewChange } from './access-queries';
import { projectAccessDecider, type ProjectAccess } from './project-access';
import {
  changeBaseLevel,
  created,
  granted,
  history,
  inLab,
  minute,
  revokeRole,
  setRole,
  transferOwnership,
} from './testing/project-access.fixtures';

const stateOf = (events: ReturnType<typeof history>) => foldEvents(projectAccessDecider, events) as ProjectAccess;

/** Lab scheme, base level viewer: Ola owns, Eve experiments, Ben and Kim are lab members without a grant. */
const labProject = stateOf(
  history(
    created('lab', 'ola', 'viewer'),
    granted('ola', 'eve', 'viewer', 'experimenter', minute(1), { reason: 'runs the imaging pipeline' }),
  ),
);
const labMembers = ['ola', 'eve', 'ben', 'kim'];

/** Facility scheme: Olivia owns, Manon manages, Mehdi is a member. */
const facilityProject = stateOf(
  history(
    created('facility', 'olivia', null),
    granted('olivia', 'manon', null, 'manager', minute(1)),
    granted('olivia', 'mehdi', null, 'member', minute(2)),
  ),
);
const facilityLab = ['olivia', 'manon', 'mehdi', 'nadia'];

describe('preview: "dry run of a grant, change, removal or base-level change: who would gain or lose which capabilities"', () => {
  it('lab: raising the base level reaches every lab member without an explicit permission', () => {
    expect(previewChange(labProject, changeBaseLevel(inLab('ola'), 'commenter', minute(5)), labMembers)).toEqual([
      { user: 'ben', before: 'viewer', after: 'commenter', gained: ['comments.write', 'stacks.annotate'], lost: [] },
      { user: 'kim', before: 'viewer', after: 'commenter', gained: ['comments.write', 'stacks.annotate'], lost: [] },
    ]);
  });

  it('lab: removing an explicit permission drops the user to the base level', () => {
    expect(previewChange(labProject, revokeRole(inLab('ola'), inLab('eve'), minute(5)), labMembers)).toEqual([
      {
        user: 'eve',
        before: 'experimenter',
        after: 'viewer',
        gained: [],
        lost: ['comments.write', 'stacks.annotate', 'files.upload', 'jobs.run', 'logbook.write', 'stacks.write', 'deletion.request.processed', 'datasets.link'],
      },
    ]);
  });

  it('lab: an explicit none below the base level takes everything away', () => {
    expect(previewChange(labProject, setRole(inLab('ola'), inLab('ben'), 'none', minute(5)), labMembers)).toEqual([
      { user: 'ben', before: 'viewer', after: 'none', gained: [], lost: ['project.read', 'access.view'] },
    ]);
  });

  it('facility: a transfer shows both the new owner and the former owner', () => {
    const preview = previewChange(facilityProject, transferOwnership(inLab('olivia'), inLab('mehdi'), minute(5)), facilityLab);
    expect(preview.map(({ user, before, after }) => ({ user, before, after }))).toEqual([
      { user: 'mehdi', before: 'member', after: 'owner' },
      { user: 'olivia', before: 'owner', after: 'manager' },
    ]);
    expect(preview[1].lost).toEqual(['deletion.approve.raw', 'project.update', 'project.delete', 'base-level.manage']);
  });

  it('facility: a refused change is refused in the preview too, by the same rule', () => {
    expect(() => previewChange(facilityProject, setRole(inLab('mehdi'), inLab('nadia'), 'member', minute(5)), facilityLab)).toThrow(
      expect.objectContaining({ rule: 'facility.member-adds-viewers-only' }),
    );
  });
});

describe('check: "who had which role on the project ... and why: the grant (who granted it, when, reason) or the base level through lab membership"', () => {
  it('lab: an explicit permission, with who gave it, when and why', () => {
    expect(explainAccess(labProject, 'eve', true)).toEqual({
      role: 'experimenter',
      via: 'explicit',
      grant: { grantedBy: 'ola', grantedAt: minute(1), reason: 'runs the imaging pipeline' },
    });
  });

  it('lab: the base level through lab membership', () => {
    expect(explainAccess(labProject, 'ben', true)).toEqual({ role: 'viewer', via: 'base-level' });
  });

  it('lab: "None: Cannot see the project at all" for someone outside the lab', () => {
    expect(explainAccess(labProject, 'gus', false)).toEqual({ role: null, via: 'none' });
  });

  it('facility: lab membership alone gives no role', () => {
    expect(explainAccess(facilityProject, 'nadia', true)).toEqual({ role: null, via: 'none' });
  });

  it('"check as user": allowed, with the reason', () => {
    const check = checkAccess(labProject, 'eve', true, 'jobs.run');
    expect(check).toMatchObject({ user: 'eve', capability: 'jobs.run', allowed: true, role: 'experimenter', via: 'explicit' });
    expect(check.reason).toBe(
      `eve has jobs.run: role experimenter through an explicit permission given by ola at ${minute(1)} ("runs the imaging pipeline")`,
    );
  });

  it('"check as user": refused, with the reason', () => {
    const check = checkAccess(labProject, 'ben', true, 'comments.write');
    expect(check).toMatchObject({ allowed: false, role: 'viewer', via: 'base-level' });
    expect(check.reason).toBe("ben lacks comments.write: role viewer through the project's base level, as a member of lab lab1");
  });

  it('"check as user": no role at all', () => {
    expect(checkAccess(facilityProject, 'nadia', true, 'project.read').reason).toBe('nadia lacks project.read: no role on the project (no explicit permission)');
  });
});

describe('users page: "first, anyone with an explicit permission on the project, and then anyone else in the lab who has access via the base level"', () => {
  it('lab: explicit permissions first, then lab members through the base level', () => {
    expect(accessOverview(labProject, labMembers)).toEqual({
      scheme: 'lab',
      baseLevel: 'viewer',
      explicit: [
        { user: 'ola', role: 'owner', grantedBy: 'ola', grantedAt: minute(0) },
        { user: 'eve', role: 'experimenter', grantedBy: 'ola', grantedAt: minute(1) },
      ],
      viaBaseLevel: [
        { user: 'ben', role: 'viewer' },
        { user: 'kim', role: 'viewer' },
      ],
    });
  });

  it('lab: with base level none, lab members have no access and are not listed', () => {
    const privateProject = stateOf(history(created('lab', 'ola', 'none')));
    expect(accessOverview(privateProject, labMembers).viaBaseLevel).toEqual([]);
  });

  it('facility: only explicit permissions', () => {
    expect(accessOverview(facilityProject, facilityLab).viaBaseLevel).toEqual([]);
  });
});
