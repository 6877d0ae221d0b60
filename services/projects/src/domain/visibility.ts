/**
 * Who can see an experiment: one in no project is visible to the whole lab; one in projects is visible
 * to those who can read any of them (`project.read`). Removing an experiment from projects, or adding it
 * to a project read by others, can therefore show it to more people, which the lab guide says to warn
 * about: "If doing so will make the experiment visible to more people than it previously was, you will
 * be warned of this."
 */
export interface VisibilityQuery {
  labMembers: Iterable<string>;
  /** For each experiment concerned, the projects it is in now (links being removed may be included or not). */
  projectsOf: ReadonlyMap<string, Iterable<string>>;
  /** For each project, who holds `project.read` on it; a project missing here counts as read by nobody. */
  readersOf: ReadonlyMap<string, Iterable<string>>;
  /** For each experiment, the projects it is being removed from (links that exist). */
  removals: ReadonlyMap<string, Iterable<string>>;
}

export interface Widening {
  experimentId: string;
  /** In lab-member order. */
  newlyVisibleTo: string[];
}

/** The experiments that removals would show to people who cannot see them now; in removal order. */
export function wideningOf(query: VisibilityQuery): { widening: Widening[] } {
  const readerSets = new Map<string, ReadonlySet<string>>();
  const readersOf = (projectId: string): ReadonlySet<string> => {
    let readers = readerSets.get(projectId);
    if (!readers) {
      readers = new Set(query.readersOf.get(projectId) ?? []);
      readerSets.set(projectId, readers);
    }
    return readers;
  };
  const labMembers = [...new Set(query.labMembers)];
  // Bulk removals usually leave many experiments with the same former projects: compute each set once.
  const newlyVisibleByFormerProjects = new Map<string, string[]>();

  const widening: Widening[] = [];
  for (const [experimentId, removed] of query.removals) {
    const removedSet = new Set(removed);
    if (removedSet.size === 0) continue;
    const before = new Set([...(query.projectsOf.get(experimentId) ?? []), ...removedSet]);
    const remaining = [...before].filter((projectId) => !removedSet.has(projectId));
    // Readers of the remaining projects are a subset of the readers before, so only an experiment
    // that leaves its last project can become visible to more people: then the whole lab sees it.
    if (remaining.length > 0) continue;

    const key = [...before].sort().join('\n');
    let newlyVisibleTo = newlyVisibleByFormerProjects.get(key);
    if (!newlyVisibleTo) {
      const formerReaders = [...before].map(readersOf);
      newlyVisibleTo = labMembers.filter((user) => !formerReaders.some((readers) => readers.has(user)));
      newlyVisibleByFormerProjects.set(key, newlyVisibleTo);
    }
    if (newlyVisibleTo.length > 0) widening.push({ experimentId, newlyVisibleTo: [...newlyVisibleTo] });
  }
  return { widening };
}

/** Who sees an experiment today: what the guide's rule above gives, from the same facts a widening uses. */
export type Audience = Omit<VisibilityQuery, 'removals'>;

/** Whether `user` can see an experiment that is in `projects` now. */
export function canSee(audience: Audience, user: string, projects: Iterable<string>): boolean {
  const inProjects = [...projects];
  if (inProjects.length === 0) return new Set(audience.labMembers).has(user);
  return inProjects.some((projectId) => new Set(audience.readersOf.get(projectId) ?? []).has(user));
}

/**
 * The experiments that adding to `projectId` would show to people who cannot see them now; in addition
 * order, each in the order of the project's readers. `projectsOf` gives the projects each is in before.
 * An experiment in no project is seen by the lab, so only the project's readers from outside it are new.
 */
export function linkWideningOf(audience: Audience, projectId: string, additions: Iterable<string>): { widening: Widening[] } {
  const readers = [...new Set(audience.readersOf.get(projectId) ?? [])];
  const widening: Widening[] = [];
  for (const experimentId of additions) {
    const before = [...(audience.projectsOf.get(experimentId) ?? [])];
    const newlyVisibleTo = readers.filter((user) => !canSee(audience, user, before));
    if (newlyVisibleTo.length > 0) widening.push({ experimentId, newlyVisibleTo });
  }
  return { widening };
}
