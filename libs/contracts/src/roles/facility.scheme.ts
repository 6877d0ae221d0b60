import { defineScheme, inheritUpwards } from './role-scheme';

const roles = ['viewer', 'member', 'manager', 'owner'] as const;

/** The facility jobs guide: "Projects can be shared with four different roles. Each role includes everything the roles below it can do." */
export const facilityScheme = defineScheme({
  name: 'facility',
  roles,
  capabilities: inheritUpwards(roles, {
    viewer: ['project.read', 'access.view'],
    member: ['comments.write', 'stacks.annotate', 'files.upload', 'jobs.run', 'logbook.write', 'stacks.write', 'deletion.request.processed'],
    manager: [
      'jobs.cancel',
      'datasets.link',
      'datasets.unlink',
      'deletion.request.raw',
      'deletion.approve.processed',
      'access.manage',
      'access.check',
    ],
    owner: ['deletion.approve.raw', 'project.update', 'project.delete', 'base-level.manage'],
  }),
  ownerRole: 'owner',
  invitesByEmail: true,
  ownerCardinality: 'exactly-one',
  hasBaseLevel: false,
  defaultBaseLevel: null,
  grantRules: {
    viewer: {
      add: [],
      change: [],
      remove: [],
      rule: 'viewer-read-only',
      says: 'a Viewer has read-only access and cannot modify anything',
    },
    member: {
      add: ['viewer'],
      change: [],
      remove: [],
      rule: 'member-adds-viewers-only',
      says: 'a member may add viewers',
    },
    manager: {
      add: ['viewer', 'member'],
      change: ['viewer', 'member'],
      remove: ['viewer', 'member'],
      rule: 'only-owner-manages-managers',
      says: 'a manager may add, change and remove viewers and members; only the owner manages managers',
    },
    owner: {
      add: ['viewer', 'member', 'manager'],
      change: ['viewer', 'member', 'manager'],
      remove: ['viewer', 'member', 'manager'],
      rule: 'single-owner-changed-only-by-transfer',
      says: 'there is exactly one owner, changed only by transfer',
    },
  },
  ownershipTransfer: { formerOwnerBecomes: 'manager' },
});
