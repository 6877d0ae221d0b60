import { buildId, newCollectionName } from './projection-state';

describe('naming a build of a read model', () => {
  afterEach(() => jest.restoreAllMocks());

  it('gives two builds started in the same millisecond (two replicas starting at once) different collections', () => {
    jest.spyOn(Date, 'now').mockReturnValue(1_765_000_000_000);
    const projection = { name: 'project_list', version: 3 };
    const [first, second] = [newCollectionName(projection), newCollectionName(projection)];
    expect(first).not.toBe(second);
    expect(first).toMatch(/^project_list__v3_1765000000000_[0-9a-f]{8}$/);
  });

  it('uses only letters, digits and underscores, which every MongoDB-compatible server takes in a name', () => {
    expect(buildId()).toMatch(/^\d+_[0-9a-f]{8}$/);
  });
});
