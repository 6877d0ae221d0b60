import { wideningOf, type VisibilityQuery } from './visibility';

const query = (overrides: Partial<VisibilityQuery>): VisibilityQuery => ({
  labMembers: ['ada', 'bob', 'cy', 'dee'],
  projectsOf: new Map(),
  readersOf: new Map([
    ['p1', ['ada', 'bob']],
    ['p2', ['cy']],
    ['open', ['ada', 'bob', 'cy', 'dee']],
  ]),
  removals: new Map(),
  ...overrides,
});

describe('experiment visibility: in no project, the whole lab sees it; in projects, those who can read any of them', () => {
  describe('"If doing so will make the experiment visible to more people than it previously was, you will be warned of this."', () => {
    it('leaving its only project shows the experiment to the lab members who could not read that project', () => {
      const result = wideningOf(query({ projectsOf: new Map([['e1', ['p1']]]), removals: new Map([['e1', ['p1']]]) }));
      expect(result).toEqual({ widening: [{ experimentId: 'e1', newlyVisibleTo: ['cy', 'dee'] }] });
    });

    it('leaving all its projects at once counts the readers of every one of them', () => {
      const result = wideningOf(query({ projectsOf: new Map([['e1', ['p1', 'p2']]]), removals: new Map([['e1', ['p1', 'p2']]]) }));
      expect(result).toEqual({ widening: [{ experimentId: 'e1', newlyVisibleTo: ['dee'] }] });
    });

    it('staying in another project never widens: its readers already saw the experiment', () => {
      const result = wideningOf(query({ projectsOf: new Map([['e1', ['p1', 'p2']]]), removals: new Map([['e1', ['p1']]]) }));
      expect(result).toEqual({ widening: [] });
    });

    it('leaving a project the whole lab could read widens nothing', () => {
      const result = wideningOf(query({ projectsOf: new Map([['e1', ['open']]]), removals: new Map([['e1', ['open']]]) }));
      expect(result).toEqual({ widening: [] });
    });

    it('a link being removed counts even when the current projects do not list it yet', () => {
      const result = wideningOf(query({ removals: new Map([['e1', ['p2']]]) }));
      expect(result).toEqual({ widening: [{ experimentId: 'e1', newlyVisibleTo: ['ada', 'bob', 'dee'] }] });
    });

    it('a project whose readers are unknown counts as read by nobody, so the warning errs on the side of caution', () => {
      const result = wideningOf(query({ removals: new Map([['e1', ['unknown']]]) }));
      expect(result).toEqual({ widening: [{ experimentId: 'e1', newlyVisibleTo: ['ada', 'bob', 'cy', 'dee'] }] });
    });

    it('readers from outside the lab do not appear: the widening is towards the lab', () => {
      const result = wideningOf(
        query({ readersOf: new Map([['p1', ['ada', 'guest']]]), removals: new Map([['e1', ['p1']]]) }),
      );
      expect(result).toEqual({ widening: [{ experimentId: 'e1', newlyVisibleTo: ['bob', 'cy', 'dee'] }] });
    });
  });

  describe('"The bulk add/remove functionality is enabled by selecting rows with checkboxes." — 1,000 experiments in one call', () => {
    const experimentIds = Array.from({ length: 1000 }, (_, index) => `e${index}`);
    const labMembers = Array.from({ length: 500 }, (_, index) => `user${index}`);
    const readers = labMembers.slice(0, 100);

    it('reports each widened experiment, in removal order', () => {
      const result = wideningOf({
        labMembers,
        projectsOf: new Map(experimentIds.map((experimentId, index) => [experimentId, index % 2 === 0 ? ['p1'] : ['p1', 'p2']])),
        readersOf: new Map([
          ['p1', readers],
          ['p2', labMembers],
        ]),
        removals: new Map(experimentIds.map((experimentId) => [experimentId, ['p1']])),
      });
      expect(result.widening.map(({ experimentId }) => experimentId)).toEqual(experimentIds.filter((_, index) => index % 2 === 0));
      expect(result.widening.every(({ newlyVisibleTo }) => newlyVisibleTo.length === 400)).toBe(true);
    });

    it('reads each project’s readers once, however many experiments share it', () => {
      const lookups: string[] = [];
      const readersOf = new Map([['p1', readers]]);
      const counting: ReadonlyMap<string, Iterable<string>> = {
        get: (projectId: string) => {
          lookups.push(projectId);
          return readersOf.get(projectId);
        },
      } as ReadonlyMap<string, Iterable<string>>;

      wideningOf({
        labMembers,
        projectsOf: new Map(experimentIds.map((experimentId) => [experimentId, ['p1']])),
        readersOf: counting,
        removals: new Map(experimentIds.map((experimentId) => [experimentId, ['p1']])),
      });
      expect(lookups).toEqual(['p1']);
    });
  });
});
