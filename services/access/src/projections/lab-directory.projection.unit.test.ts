import { projectionSpec, storedEvents } from '@cairn/testing';
import { labDirectoryProjection } from './lab-directory.projection';

const log = storedEvents();

describe('lab directory: "GET /api/labs", the labs a person can open, by name', () => {
  it('one document per lab under its slug, with its name (lower-cased for the ordered list); membership changes leave it alone', () => {
    projectionSpec(labDirectoryProjection)
      .when([
        log.event('access.lab.created.v1', { lab: 'crystallography', name: 'Crystallography', slug: 'crystallography', actor: 'u-alice' }),
        log.event('access.lab.member-added.v1', { lab: 'crystallography', userId: 'u-bob', username: 'bob', displayName: 'Bob', admin: false, actor: 'u-alice' }),
      ])
      .then([{ _id: 'crystallography', slug: 'crystallography', name: 'Crystallography', nameLower: 'crystallography' }]);
  });
});
