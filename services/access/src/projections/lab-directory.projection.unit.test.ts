import type { CairnEvent } from '@cairn/contracts';
import { labDirectoryProjection } from './lab-directory.projection';

const event = (position: number, type: string, data: unknown): CairnEvent => ({
  specversion: '1.0',
  id: `event-${position}`,
  source: 'cairn/access',
  type,
  subject: 'lab/crystallography',
  time: '2025-01-06T09:00:00.000Z',
  datacontenttype: 'application/json',
  data,
  streamid: 'access_lab-crystallography',
  streamversion: position - 1,
  position,
});

describe('lab directory: the labs a person can open, by name', () => {
  it('given a lab created, then it is listed under its slug with its name; membership changes leave it alone', () => {
    const intents = labDirectoryProjection.handle([
      event(1, 'access.lab.created.v1', { lab: 'crystallography', name: 'Crystallography', slug: 'crystallography', actor: 'u-alice' }),
      event(2, 'access.lab.member-added.v1', { lab: 'crystallography', userId: 'u-bob', username: 'bob', displayName: 'Bob', admin: false, actor: 'u-alice' }),
    ]);
    expect(intents).toEqual([
      { kind: 'replace', id: 'crystallography', position: 1, document: { slug: 'crystallography', name: 'Crystallography', nameLower: 'crystallography' } },
    ]);
  });
});
