import type { ProjectCreatedData, ProjectEvent } from '@cairn/contracts';
import { deciderSpec } from '@cairn/testing';
import { projectDecider, type CreateProject, type LinkExperiments, type ProjectCommand, type UnlinkExperiments } from './project';
import { facility, lab } from './testing/projects.fixtures';

const spec = deciderSpec(projectDecider);

const createCommand = (overrides: Partial<CreateProject> = {}): CreateProject => ({
  type: 'CreateProject',
  projectId: 'p1',
  lab: 'lab1',
  name: 'Ribosome 2024',
  description: 'Cryo-EM of the ribosome',
  scheme: 'lab',
  actor: 'ada',
  actorIsLabMember: true,
  takenSlugs: new Set(),
  ...overrides,
});

const created = (data: Partial<ProjectCreatedData>): ProjectEvent => ({
  type: 'projects.project.created.v1',
  data: {
    projectId: 'p1',
    lab: 'lab1',
    name: 'Ribosome 2024',
    description: 'Cryo-EM of the ribosome',
    slug: 'ribosome-2024',
    scheme: 'lab',
    createdBy: 'ada',
    actor: 'ada',
    ...data,
  },
});
const labProjectCreated = created({ baseLevel: 'none' });
const facilityProjectCreated = created({ scheme: 'facility' });

const linked = (experimentIds: string[], actor = 'ada'): ProjectEvent => ({
  type: 'projects.experiment.linked.v1',
  data: { projectId: 'p1', lab: 'lab1', experimentIds, actor },
});
const deleted: ProjectEvent = {
  type: 'projects.project.deleted.v1',
  data: { projectId: 'p1', lab: 'lab1', slug: 'ribosome-2024', actor: 'ada' },
};
const inLab1 = (...experimentIds: string[]) => new Map(experimentIds.map((experimentId) => [experimentId, 'lab1']));
/** Everyone of lab1 reads p1 and every experiment is in no project: an addition shows nothing to anyone new. */
const labWide: LinkExperiments['audience'] = {
  labMembers: ['ada', 'bob', 'cy', 'max', 'mia'],
  projectsOf: new Map(),
  readersOf: new Map([['p1', ['ada', 'bob', 'cy', 'max', 'mia']]]),
};

describe('Project: creating', () => {
  describe('"Anyone can create a project: they’re as useful for managing your own private work as for collaborating in a lab."', () => {
    it('a lab member creates a lab-scheme project; it is private (base level none) unless they choose otherwise', () => {
      spec.given([]).when(createCommand()).then([labProjectCreated]);
    });

    it('a facility-scheme project records no base level', () => {
      spec.given([]).when(createCommand({ scheme: 'facility' })).then([facilityProjectCreated]);
    });

    it('someone outside the lab cannot', () => {
      spec.given([]).when(createCommand({ actorIsLabMember: false })).thenThrows('labs.members-only', 'forbidden');
    });

    it('a project is created once', () => {
      spec.given([labProjectCreated]).when(createCommand()).thenThrows('projects.project-exists', 'conflict');
    });
  });

  describe('"From the project creation form, you can name the project and write a description."', () => {
    it('the name is trimmed', () => {
      spec
        .given([])
        .when(createCommand({ name: '  Ribosome 2024 ' }))
        .then([labProjectCreated]);
    });

    it.each([
      ['blank', '   ', 'fields.name-required'],
      ['longer than 120 characters', 'x'.repeat(121), 'fields.name-too-long'],
    ])('a %s name is refused, naming the field', (_case, name, rule) => {
      const error = spec.given([]).when(createCommand({ name })).thenThrows(rule, 'invalid');
      expect(error.details).toEqual({ errors: [{ field: 'name', message: expect.any(String) }] });
    });

    it('a name of exactly 120 characters is accepted', () => {
      const name = 'x'.repeat(120);
      spec
        .given([])
        .when(createCommand({ name }))
        .then(([event]) => expect(event.data).toMatchObject({ name, slug: 'x'.repeat(60) }));
    });

    it('a description longer than 5000 characters is refused; one of 5000 is accepted', () => {
      spec
        .given([])
        .when(createCommand({ description: 'd'.repeat(5001) }))
        .thenThrows('fields.description-too-long', 'invalid');
      spec
        .given([])
        .when(createCommand({ description: 'd'.repeat(5000) }))
        .then(([event]) => expect(event.data).toMatchObject({ description: 'd'.repeat(5000) }));
    });

    it('the description may be left out', () => {
      spec
        .given([])
        .when(createCommand({ description: undefined }))
        .then(([event]) => expect(event.data).toMatchObject({ description: '' }));
    });
  });

  describe('"The slug - used in the URL - will be auto-generated from the name, but you have an opportunity to edit it at creation if you’d like."', () => {
    it('generated from the name, unique in the lab ("slug generated from the name (unique in the lab) unless given")', () => {
      spec
        .given([])
        .when(createCommand({ takenSlugs: new Set(['ribosome-2024', 'ribosome-2024-2']) }))
        .then(([event]) => expect(event.data).toMatchObject({ slug: 'ribosome-2024-3' }));
    });

    it('a slug given at creation is used as written', () => {
      spec
        .given([])
        .when(createCommand({ slug: 'ribo' }))
        .then(([event]) => expect(event.data).toMatchObject({ slug: 'ribo' }));
    });

    it('a given slug already used in the lab is refused rather than renamed', () => {
      const error = spec
        .given([])
        .when(createCommand({ slug: 'ribo', takenSlugs: new Set(['ribo']) }))
        .thenThrows('slugs.taken-in-lab', 'conflict');
      expect(error.details).toEqual({ errors: [{ field: 'slug', message: expect.any(String) }] });
    });

    it.each(['Ribo', 'new', 'ribo--1', '-ribo', 'ribo/1', ''])('a malformed or reserved slug %p is refused, naming the field', (slug) => {
      const error = spec.given([]).when(createCommand({ slug })).thenThrows('slugs.format', 'invalid');
      expect(error.details).toEqual({ errors: [{ field: 'slug', message: expect.any(String) }] });
    });
  });

  describe('"Finally, you can choose the base level for the project. This sets the default access level for anybody in the lab."', () => {
    it('a lab-scheme project takes the chosen base level', () => {
      spec
        .given([])
        .when(createCommand({ baseLevel: 'commenter' }))
        .then(([event]) => expect(event.data).toMatchObject({ baseLevel: 'commenter' }));
    });

    it('a level that is not one of the lab scheme’s is refused', () => {
      spec.given([]).when(createCommand({ baseLevel: 'manager' })).thenThrows('lab.unknown-role', 'invalid');
    });

    it('owners are always given explicitly, never through the base level', () => {
      spec.given([]).when(createCommand({ baseLevel: 'owner' })).thenThrows('lab.base-level-below-owner', 'invalid');
    });

    it('a facility-scheme project has no base level ("Add people via their username or e-mail adress and assign them their intended role")', () => {
      spec
        .given([])
        .when(createCommand({ scheme: 'facility', baseLevel: 'viewer' }))
        .thenThrows('facility.no-base-level', 'invalid');
    });

    it('an unknown scheme is refused', () => {
      spec.given([]).when(createCommand({ scheme: 'guild' })).thenThrows('projects.scheme', 'invalid');
    });
  });
});

describe('Project: changing and deleting', () => {
  describe('lab owner: "Can alter the project itself, including deleting it."', () => {
    it('an owner renames the project; only changed fields are recorded', () => {
      spec
        .given([labProjectCreated])
        .when({ type: 'UpdateProject', name: 'Ribosome 2025', description: 'Cryo-EM of the ribosome', ...lab('ada', 'owner') })
        .then([{ type: 'projects.project.updated.v1', data: { projectId: 'p1', name: 'Ribosome 2025', actor: 'ada' } }]);
    });

    it('an update that changes nothing records nothing', () => {
      spec
        .given([labProjectCreated])
        .when({ type: 'UpdateProject', name: 'Ribosome 2024', ...lab('ada', 'owner') })
        .then([]);
    });

    it('an update must name something to change', () => {
      spec.given([labProjectCreated]).when({ type: 'UpdateProject', ...lab('ada', 'owner') }).thenThrows('projects.update-empty', 'invalid');
    });

    it('experimenter: "no rights to alter the project or its users"', () => {
      spec
        .given([labProjectCreated])
        .when({ type: 'UpdateProject', name: 'Mine now', ...lab('bob', 'experimenter') })
        .thenThrows('requires.project.update', 'forbidden');
      spec.given([labProjectCreated]).when({ type: 'DeleteProject', ...lab('bob', 'experimenter') }).thenThrows('requires.project.delete', 'forbidden');
    });

    it('an owner deletes the project', () => {
      spec.given([labProjectCreated]).when({ type: 'DeleteProject', ...lab('ada', 'owner') }).then([deleted]);
    });
  });

  describe('facility: "Owner: Full control." — a Manager has "Operational management" only', () => {
    it('the owner deletes; a manager cannot', () => {
      spec.given([facilityProjectCreated]).when({ type: 'DeleteProject', ...facility('ada', 'owner') }).then([deleted]);
      spec
        .given([facilityProjectCreated])
        .when({ type: 'DeleteProject', ...facility('max', 'manager') })
        .thenThrows('requires.project.delete', 'forbidden');
      spec
        .given([facilityProjectCreated])
        .when({ type: 'UpdateProject', description: 'new', ...facility('max', 'manager') })
        .thenThrows('requires.project.update', 'forbidden');
    });
  });

  describe('a deleted project refuses further commands; its history is kept', () => {
    it.each<[string, ProjectCommand]>([
      ['an update', { type: 'UpdateProject', name: 'Back', ...lab('ada', 'owner') }],
      ['a second deletion', { type: 'DeleteProject', ...lab('ada', 'owner') }],
      ['linking', { type: 'LinkExperiments', experimentIds: ['e1'], experimentLabs: inLab1('e1'), audience: labWide, ...lab('ada', 'owner') }],
    ])('%s is refused', (_case, command) => {
      spec.given([labProjectCreated, deleted]).when(command).thenThrows('projects.project-deleted', 'conflict');
    });

    it('a project that never existed is not found', () => {
      spec.given([]).when({ type: 'DeleteProject', ...lab('ada', 'owner') }).thenThrows('projects.project-not-found', 'not-found');
    });
  });
});

describe('Project: adding experiments', () => {
  const link = (experimentIds: string[], actor = lab('ada', 'owner'), experimentLabs = inLab1('e1', 'e2', 'e3'), audience = labWide) =>
    ({ type: 'LinkExperiments', experimentIds, experimentLabs, audience, ...actor }) as const;

  describe('"The bulk add/remove functionality is enabled by selecting rows with checkboxes."', () => {
    it('one call adds many experiments as one event', () => {
      spec.given([labProjectCreated]).when(link(['e1', 'e2', 'e3'])).then([linked(['e1', 'e2', 'e3'])]);
    });

    it('experiments already in the project are left out; a call adding nothing new records nothing', () => {
      spec.given([labProjectCreated, linked(['e1'])]).when(link(['e1', 'e2', 'e2'])).then([linked(['e2'])]);
      spec.given([labProjectCreated, linked(['e1', 'e2'])]).when(link(['e2', 'e1'])).then([]);
    });

    it('a call lists at least one experiment', () => {
      spec.given([labProjectCreated]).when(link([])).thenThrows('fields.ids-required', 'invalid');
    });
  });

  describe('"The experiment manager lists all experiments in the lab, and lets you add / remove experiments to the project."', () => {
    it('an unknown experiment refuses the whole call: nothing is half-added', () => {
      const error = spec.given([labProjectCreated]).when(link(['e1', 'ghost'])).thenThrows('experiments.not-in-lab', 'not-found');
      expect(error.details).toEqual({ experimentIds: ['ghost'] });
    });

    it('an experiment of another lab refuses the whole call, reported like a missing one', () => {
      const experimentLabs = new Map([...inLab1('e1'), ['theirs', 'lab2']]);
      const error = spec
        .given([labProjectCreated])
        .when(link(['e1', 'theirs'], lab('ada', 'owner'), experimentLabs))
        .thenThrows('experiments.not-in-lab', 'not-found');
      expect(error.details).toEqual({ experimentIds: ['theirs'] });
    });
  });

  describe('"an experiment in no project is visible to the whole lab; in one or more projects it is visible to those who can read any of them"', () => {
    /** e1 is in no project; e2 only in the closed p2, read by dee; e3 in p3, read by ada and bob; p1 is read by ada, bob and guest (outside the lab). */
    const audience: LinkExperiments['audience'] = {
      labMembers: ['ada', 'bob', 'cy', 'dee'],
      projectsOf: new Map([
        ['e2', ['p2']],
        ['e3', ['p3']],
      ]),
      readersOf: new Map([
        ['p1', ['ada', 'bob', 'guest']],
        ['p2', ['dee']],
        ['p3', ['ada', 'bob']],
      ]),
    };
    const linkSeen = (experimentIds: string[], confirmWidening?: boolean) => ({ ...link(experimentIds, lab('ada', 'owner'), inLab1('e1', 'e2', 'e3'), audience), confirmWidening });

    it('an experiment the caller cannot see is reported exactly like a missing one: nothing is pulled out of a closed project', () => {
      const hidden = spec.given([labProjectCreated]).when(linkSeen(['e3', 'e2'], true)).thenThrows('experiments.not-in-lab', 'not-found');
      const missing = spec.given([labProjectCreated]).when(linkSeen(['e3', 'ghost'], true)).thenThrows('experiments.not-in-lab', 'not-found');
      expect(hidden.details).toEqual({ experimentIds: ['e2'] });
      expect(missing.details).toEqual({ experimentIds: ['ghost'] });
      expect(hidden.message.replace('e2', 'ghost')).toBe(missing.message);
    });

    describe('"If doing so will make the experiment visible to more people than it previously was, you will be warned of this."', () => {
      it('an addition that shows an experiment to more people is refused with who would newly see it', () => {
        const error = spec.given([labProjectCreated]).when(linkSeen(['e3', 'e1'])).thenThrows('experiments.link-widens-visibility', 'conflict');
        expect(error.details).toEqual({
          widening: [
            { experimentId: 'e3', newlyVisibleTo: ['guest'] },
            { experimentId: 'e1', newlyVisibleTo: ['guest'] },
          ],
        });
      });

      it('with confirmWidening the addition goes ahead', () => {
        spec.given([labProjectCreated]).when(linkSeen(['e3', 'e1'], true)).then([linked(['e3', 'e1'])]);
      });

      it('an addition whose readers already see the experiment needs no confirmation', () => {
        const narrow = { ...audience, readersOf: new Map([...audience.readersOf, ['p1', ['ada', 'bob']]]) };
        spec.given([labProjectCreated]).when({ ...linkSeen(['e3', 'e1']), audience: narrow }).then([linked(['e3', 'e1'])]);
      });
    });
  });

  it('lab experimenter: "Full access to experiments to the project, including creating/adding them"', () => {
    spec.given([labProjectCreated]).when(link(['e1'], lab('bob', 'experimenter'))).then([linked(['e1'], 'bob')]);
  });

  it('lab commenter: "No rights to add/create experiments in the project"', () => {
    spec.given([labProjectCreated]).when(link(['e1'], lab('cy', 'commenter'))).thenThrows('requires.datasets.link', 'forbidden');
  });

  it('facility manager: "manage linked datasets"; a member cannot', () => {
    spec.given([facilityProjectCreated]).when(link(['e1'], facility('max', 'manager'))).then([linked(['e1'], 'max')]);
    spec.given([facilityProjectCreated]).when(link(['e1'], facility('mia', 'member'))).thenThrows('requires.datasets.link', 'forbidden');
  });
});

describe('Project: removing experiments', () => {
  const unlinked = (experimentIds: string[], confirmedWidening: boolean, actor = 'ada'): ProjectEvent => ({
    type: 'projects.experiment.unlinked.v1',
    data: { projectId: 'p1', lab: 'lab1', experimentIds, confirmedWidening, actor },
  });
  /** Lab of ada, bob and cy; p1 is read by ada and bob; e2 is also in p2, read by everyone. */
  const audience: UnlinkExperiments['audience'] = {
    labMembers: ['ada', 'bob', 'cy'],
    projectsOf: new Map([
      ['e1', ['p1']],
      ['e2', ['p1', 'p2']],
    ]),
    readersOf: new Map([
      ['p1', ['ada', 'bob']],
      ['p2', ['ada', 'bob', 'cy']],
    ]),
  };
  const unlink = (experimentIds: string[], options: { confirmWidening?: boolean; actor?: ReturnType<typeof lab> } = {}) =>
    ({ type: 'UnlinkExperiments', experimentIds, audience, confirmWidening: options.confirmWidening, ...(options.actor ?? lab('ada', 'owner')) }) as const;

  describe('"If doing so will make the experiment visible to more people than it previously was, you will be warned of this."', () => {
    it('a removal that shows an experiment to more people is refused with who would newly see it', () => {
      const error = spec
        .given([labProjectCreated, linked(['e1', 'e2'])])
        .when(unlink(['e1', 'e2']))
        .thenThrows('experiments.unlink-widens-visibility', 'conflict');
      expect(error.details).toEqual({ widening: [{ experimentId: 'e1', newlyVisibleTo: ['cy'] }] });
    });

    it('"you’ll be asked to confirm your action": with confirmWidening the removal goes ahead and records the confirmation', () => {
      spec
        .given([labProjectCreated, linked(['e1', 'e2'])])
        .when(unlink(['e1', 'e2'], { confirmWidening: true }))
        .then([unlinked(['e1', 'e2'], true)]);
    });

    it('a removal that widens nothing needs no confirmation', () => {
      spec.given([labProjectCreated, linked(['e1', 'e2'])]).when(unlink(['e2'])).then([unlinked(['e2'], false)]);
    });

    it('the project’s own link counts even when the read model has not caught up with it', () => {
      const lagging = { ...unlink(['e3']), audience: { ...audience, projectsOf: new Map() } };
      const error = spec
        .given([labProjectCreated, linked(['e3'])])
        .when(lagging)
        .thenThrows('experiments.unlink-widens-visibility', 'conflict');
      expect(error.details).toEqual({ widening: [{ experimentId: 'e3', newlyVisibleTo: ['cy'] }] });
    });
  });

  it('experiments not in the project are left out; a call removing nothing records nothing', () => {
    spec.given([labProjectCreated, linked(['e1', 'e2'])]).when(unlink(['e2', 'ghost'])).then([unlinked(['e2'], false)]);
    spec.given([labProjectCreated, linked(['e1'])]).when(unlink(['ghost'])).then([]);
  });

  it('a removed experiment can be added again', () => {
    spec
      .given([labProjectCreated, linked(['e1']), unlinked(['e1'], true)])
      .when({ type: 'LinkExperiments', experimentIds: ['e1'], experimentLabs: inLab1('e1'), audience: labWide, ...lab('ada', 'owner') })
      .then([linked(['e1'])]);
  });

  it('lab owner: "Can add/remove experiments from the project." — an experimenter cannot remove', () => {
    spec
      .given([labProjectCreated, linked(['e2'])])
      .when(unlink(['e2'], { actor: lab('bob', 'experimenter') }))
      .thenThrows('requires.datasets.unlink', 'forbidden');
  });

  it('facility manager: "manage linked datasets" includes removing them; a member cannot', () => {
    spec.given([facilityProjectCreated, linked(['e2'])]).when(unlink(['e2'], { actor: facility('max', 'manager') })).then([unlinked(['e2'], false, 'max')]);
    spec
      .given([facilityProjectCreated, linked(['e2'])])
      .when(unlink(['e2'], { actor: facility('mia', 'member') }))
      .thenThrows('requires.datasets.unlink', 'forbidden');
  });
});
