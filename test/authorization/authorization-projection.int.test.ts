import { CAPABILITIES } from '@cairn/contracts';
import { JetStreamEventStore, type EventStore } from '@cairn/event-store';
import { startNatsServer, type NatsServerHandle } from '@cairn/testing';
import { AccessModel, AuthorizationProjection } from '@cairn/auth';
import { AccessStory } from '@cairn/access-service';

let nats: NatsServerHandle;
/** Where the tests append. */
let store: JetStreamEventStore;
/** What the projection follows: the same store, or one that follows the stream's tail (as a service process does). */
let followed: JetStreamEventStore;
const running: AuthorizationProjection[] = [];

beforeAll(async () => {
  nats = await startNatsServer();
  store = await JetStreamEventStore.connect({ connection: nats.connectionOptions() });
});

afterAll(async () => {
  await Promise.all(running.map((projection) => projection.stop()));
  await store?.close();
  await nats?.stop();
});

async function started(eventStore: EventStore = followed): Promise<AuthorizationProjection> {
  const projection = await AuthorizationProjection.start(eventStore);
  running.push(projection);
  await projection.ready;
  return projection;
}

/** Appends the story's commits from the `from`-th on, as the access service would; the last position. */
async function append(story: AccessStory, from = 0): Promise<number> {
  let position = 0;
  for (const commit of story.commits.slice(from)) {
    ({ position } = await store.append(commit.stream, commit.events, commit.expectedVersion));
  }
  return position;
}

/** Everything the model says about these projects and users, to compare two models. */
function answers(model: AccessModel, projects: string[], users: string[]) {
  return {
    roles: projects.flatMap((project) => users.map((user) => [project, user, model.explain(project, user)])),
    decisions: projects.flatMap((project) =>
      users.map((user) => [project, user, CAPABILITIES.filter((capability) => model.can(project, user, capability))]),
    ),
    readable: users.map((user) => [user, model.projectsReadableBy(user).filter((project) => projects.includes(project))]),
  };
}

function modelOf(story: AccessStory): AccessModel {
  const model = new AccessModel();
  for (const event of story.envelopes) model.apply(event);
  return model;
}

const users = ['ada', 'alice', 'bob', 'carol', 'eve'];

/** A lab with both schemes' projects and every kind of access change; ids carry `tag` so tests do not meet. */
function story(tag: string) {
  const [lab, p1, p2] = [`lab-${tag}`, `${tag}-p1`, `${tag}-p2`];
  const told = new AccessStory()
    .createLab(lab, 'ada')
    .addMember(lab, 'ada', 'alice')
    .addMember(lab, 'ada', 'bob')
    .addMember(lab, 'ada', 'carol')
    .createProject(p1, lab, 'lab', 'alice', 'commenter')
    .setRole(p1, 'alice', 'bob', 'experimenter')
    .setRole(p1, 'alice', 'carol', 'none')
    .createProject(p2, lab, 'facility', 'alice')
    .setRole(p2, 'alice', 'bob', 'manager')
    .transferOwnership(p2, 'alice', 'bob');
  return { told, lab, p1, p2, projects: [p1, p2] };
}

describe.each([
  ['a store', false],
  ['a store that follows its tail', true],
])('AuthorizationProjection on JetStream, following %s', (_, followTail) => {
  /** Ids of this run's own streams. */
  const tag = (name: string) => (followTail ? `${name}-tail` : name);

  beforeAll(async () => {
    followed = followTail ? await JetStreamEventStore.connect({ connection: nats.connectionOptions(), followTail }) : store;
  });

  afterAll(async () => {
    if (followed !== store) await followed.close();
  });

  it('builds from the access events the same answers as the deciders give', async () => {
    const { told, projects } = story(tag('build'));
    await append(told);

    const projection = await started();

    expect(answers(projection.model, projects, users)).toEqual(answers(modelOf(told), projects, users));
    expect(projection.model.roleOf(projects[1], 'bob')).toBe('owner');
  });

  it('follows live changes: a read waiting for the position of a change sees it', async () => {
    const { told, lab, p1 } = story(tag('live'));
    await append(told);
    const projection = await started();
    const before = told.commits.length;

    const position = await append(told.changeBaseLevel(p1, 'alice', 'viewer').removeMember(lab, 'ada', 'bob').revokeRole(p1, 'alice', 'carol'), before);

    expect(await projection.waitFor(position, 10_000)).toBe(true);
    expect(projection.model.explain(p1, 'carol')).toEqual({ role: 'viewer', via: 'base-level' });
    expect(projection.model.explain(p1, 'bob')).toEqual({ role: 'experimenter', via: 'explicit' });
    expect(projection.model.isLabMember(lab, 'bob')).toBe(false);
  });

  it('passes a position of another context once no access event up to it is missing', async () => {
    const projection = await started();
    const { position } = await store.append(
      { context: 'jobs', aggregate: 'job', id: tag('j1') },
      [{ type: 'jobs.job.requested.v1', data: { projectId: 'elsewhere' } }],
      'no-stream',
    );

    expect(await projection.waitFor(position, 10_000)).toBe(true);
    expect(projection.model.position).toBeLessThan(position);
    // Beyond the store's head: everything stored when the wait began is all a caller can have seen.
    expect(await projection.waitFor(position + 1_000, 10_000)).toBe(true);
  });

  it("for a command, takes in every access event stored before the command's arrival; later events of other contexts do not hold it up", async () => {
    const { told, lab, p1 } = story(tag('fresh'));
    await append(told);
    const projection = await started();

    for (let round = 0; round < 10; round++) {
      const before = told.commits.length;
      await append(round % 2 === 0 ? told.removeMember(lab, 'ada', 'carol') : told.addMember(lab, 'ada', 'carol'), before);
      expect(await projection.waitForHead(10_000)).toBe(true);
      expect(projection.model.isLabMember(lab, 'carol')).toBe(round % 2 === 1);
    }
    await store.append({ context: 'jobs', aggregate: 'job', id: tag('j-fresh') }, [{ type: 'jobs.job.requested.v1', data: { projectId: p1 } }], 'no-stream');
    expect(await projection.waitForHead(10_000)).toBe(true);
  });

  it('a new projection after a restart gives the same answers', async () => {
    const { told, projects } = story(tag('restart'));
    await append(told);
    const first = await started();
    const answered = answers(first.model, projects, users);
    await first.stop();

    const otherStore = await JetStreamEventStore.connect({ connection: nats.connectionOptions() });
    try {
      const second = await started(otherStore);
      expect(answers(second.model, projects, users)).toEqual(answered);
      expect(second.model.position).toBe(first.model.position);
      await second.stop();
    } finally {
      await otherStore.close();
    }
  });

  it('a stopped projection no longer promises consistency', async () => {
    const projection = await started();
    await projection.stop();
    const position = await append(story(tag('stopped')).told);

    expect(await projection.waitFor(position, 10_000)).toBe(false);
    expect(await projection.readinessProbe().check()).toBe(false);
  });
});
