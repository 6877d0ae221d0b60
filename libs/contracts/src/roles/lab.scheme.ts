import { defineScheme, inheritUpwards } from './role-scheme';

const roles = ['none', 'viewer', 'commenter', 'experimenter', 'owner'] as const;

const onlyOwnersManageAccess = {
  add: [],
  change: [],
  remove: [],
  rule: 'only-owners-manage-access',
  says: 'only an owner can add/remove people to/from the project and change their access levels',
};

/** The Sundog projects guide: "Access to a project is controlled via levels... There are five levels of access." */
export const labScheme = defineScheme({
  name: 'lab',
  roles,
  capabilities: inheritUpwards(roles, {
    none: [],
    viewer: ['project.read', 'access.view'],
    commenter: ['comments.write', 'stacks.annotate'],
    experimenter: ['files.upload', 'jobs.run', 'logbook.write', 'stacks.write', 'deletion.request.processed', 'datasets.link'],
    owner: [
      'jobs.cancel',
      'datasets.unlink',
      'deletion.request.raw',
      'deletion.approve.processed',
      'deletion.approve.raw',
      'project.update',
      'project.delete',
      'base-level.manage',
      'access.manage',
      'access.check',
    ],
  }),
  ownerRole: 'owner',
  invitesByEmail: false,
  ownerCardinality: 'at-least-one',
  hasBaseLevel: true,
  // "Useful for managing your own private work": a project is private until its creator opens it to the lab.
  defaultBaseLevel: 'none',
  grantRules: {
    none: onlyOwnersManageAccess,
    viewer: onlyOwnersManageAccess,
    commenter: onlyOwnersManageAccess,
    experimenter: onlyOwnersManageAccess,
    owner: {
      add: roles,
      change: roles,
      remove: roles,
      rule: 'owners-manage-anyone',
      says: 'owners add, change and remove anyone at any level',
    },
  },
  ownershipTransfer: null,
});
