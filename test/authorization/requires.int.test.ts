import { Controller, Get, Param, Post, type INestApplication } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { MongoClient, type Db } from 'mongodb';
import request from 'supertest';
import { JetStreamEventStore } from '@cairn/event-store';
import { CairnHttpModule, CurrentPrincipal, ProblemFilter } from '@cairn/http';
import { startNatsServer, testMongoUrl, uniqueDbName, type NatsServerHandle } from '@cairn/testing';
import { DevTokenVerifier, LOCAL_DEV_JWT_SECRET, signDevToken, type Principal, AuthorizationModule, AuthorizationProjection, Authorizer, Requires, RunnerAccess } from '@cairn/auth';
import { AccessStory } from '@cairn/access-service';

/** Which project each job belongs to, as a jobs service's read model would say. */
const jobs: Record<string, string> = { j1: 'p1' };

@Controller('projects/:id')
class ProjectController {
  @Get()
  @Requires('project.read')
  read(@Param('id') id: string) {
    return { project: id };
  }

  @Post('jobs')
  @Requires('jobs.run')
  run(@Param('id') id: string) {
    return { ranIn: id };
  }
}

/** A file route a runner reaches: the handler, not the role, decides what a runner may read. */
@Controller('projects/:id/files/:fileId')
class FileController {
  @Get()
  @Requires('project.read')
  @RunnerAccess()
  read(@Param('fileId') fileId: string, @CurrentPrincipal() principal: Principal) {
    return { file: fileId, readBy: principal.isRunner ? `runner ${principal.userId}` : principal.userId };
  }
}

@Controller('labs/:lab/projects/:projectId/logbook')
@Requires('logbook.write', { projectParam: 'projectId' })
class LogbookController {
  @Post()
  write(@Param('projectId') projectId: string) {
    return { wroteIn: projectId };
  }
}

@Controller('jobs/:jobId')
class JobController {
  constructor(private readonly authorizer: Authorizer) {}

  @Post('rerun')
  rerun(@Param('jobId') jobId: string, @CurrentPrincipal() principal: Principal) {
    this.authorizer.require(jobs[jobId], principal.userId, 'jobs.run');
    return { rerunOf: jobId };
  }
}

let nats: NatsServerHandle;
let store: JetStreamEventStore;
let mongo: MongoClient;
let db: Db;
let projection: AuthorizationProjection;
let app: INestApplication;
const tokens: Record<string, string> = {};

/** In lab L: alice owns p1 (lab scheme, base level viewer), bob is an experimenter, carol sees it through the base level. */
const story = new AccessStory()
  .createLab('L', 'ada')
  .addMember('L', 'ada', 'alice')
  .addMember('L', 'ada', 'bob')
  .addMember('L', 'ada', 'carol')
  .addMember('L', 'ada', 'dave')
  .createProject('p1', 'L', 'lab', 'alice', 'viewer')
  .setRole('p1', 'alice', 'bob', 'experimenter');

async function append(from: number): Promise<number> {
  let position = 0;
  for (const commit of story.commits.slice(from)) {
    ({ position } = await store.append(commit.stream, commit.events, commit.expectedVersion));
  }
  return position;
}

beforeAll(async () => {
  nats = await startNatsServer();
  store = await JetStreamEventStore.connect({ connection: nats.connectionOptions() });
  mongo = await MongoClient.connect(testMongoUrl());
  db = mongo.db(uniqueDbName('auth_requires'));
  await append(0);
  projection = await AuthorizationProjection.start(store);
  const moduleRef = await Test.createTestingModule({
    imports: [
      CairnHttpModule.forRoot({ verifier: new DevTokenVerifier({ secret: LOCAL_DEV_JWT_SECRET }), db, consistency: projection }),
      AuthorizationModule.forRoot(projection, { waitTimeoutMs: 10_000 }),
    ],
    controllers: [ProjectController, LogbookController, JobController, FileController],
  }).compile();
  app = moduleRef.createNestApplication({ logger: false });
  app.useGlobalFilters(new ProblemFilter());
  await app.init();
  for (const user of ['alice', 'bob', 'carol', 'dave', 'eve']) tokens[user] = await signDevToken({ username: user, sub: user }, LOCAL_DEV_JWT_SECRET);
  tokens['runner-1'] = await signDevToken({ username: 'runner-1', runner: true }, LOCAL_DEV_JWT_SECRET);
});

afterAll(async () => {
  await app?.close();
  await projection?.stop();
  await store?.close();
  await nats?.stop();
  await db?.dropDatabase();
  await mongo?.close();
});

const as = (user: string) => ({ Authorization: `Bearer ${tokens[user]}` });

describe('@Requires', () => {
  it('lets a user with the capability through', async () => {
    await request(app.getHttpServer()).post('/projects/p1/jobs').set(as('bob')).expect(201, { ranIn: 'p1' });
    await request(app.getHttpServer()).get('/projects/p1').set(as('carol')).expect(200, { project: 'p1' });
  });

  it('refuses a user without it with 403, naming their role and the capability', async () => {
    const response = await request(app.getHttpServer()).post('/projects/p1/jobs').set(as('carol')).expect(403);
    expect(response.body).toMatchObject({
      status: 403,
      rule: 'capability.jobs.run',
      role: 'viewer',
      via: 'base-level',
      detail: 'Your role on this project is viewer (the base level, as a member of its lab); jobs.run needs the role experimenter or owner.',
    });
  });

  it('answers someone with no role on the project exactly as for a project that does not exist (a hidden thing answers like a missing one)', async () => {
    const hidden = await request(app.getHttpServer()).get('/projects/p1').set(as('eve')).expect(404);
    const missing = await request(app.getHttpServer()).get('/projects/p404').set(as('eve')).expect(404);
    const answer = ({ status, type, title, rule }: Record<string, unknown>) => ({ status, type, title, rule });
    expect(answer(hidden.body)).toEqual(answer(missing.body));
    expect(hidden.body.rule).toBe('project.unknown');
  });

  it('answers 404 project.unknown for a project the model does not know', async () => {
    const response = await request(app.getHttpServer()).get('/projects/p404').set(as('alice')).expect(404);
    expect(response.body).toMatchObject({ rule: 'project.unknown' });
  });

  it('authenticates first: no token is 401, not 403', async () => {
    await request(app.getHttpServer()).post('/projects/p1/jobs').expect(401);
  });

  it('takes the project from the named route parameter, also on a controller', async () => {
    await request(app.getHttpServer()).post('/labs/L/projects/p1/logbook').set(as('bob')).expect(201, { wroteIn: 'p1' });
    await request(app.getHttpServer()).post('/labs/L/projects/p1/logbook').set(as('carol')).expect(403);
  });

  it('with Cairn-Min-Position, a read right after a grant sees the grant', async () => {
    const before = story.commits.length;
    story.setRole('p1', 'alice', 'carol', 'experimenter');
    const position = await append(before);

    await request(app.getHttpServer()).post('/projects/p1/jobs').set(as('carol')).set('Cairn-Min-Position', String(position)).expect(201);
  });

  it("with Cairn-Min-Position, the creator's first read waits for the project's access to arrive", async () => {
    // The projects service answers the creation with this position; the access service follows it.
    const { position } = await store.append(
      { context: 'projects', aggregate: 'project', id: 'p2' },
      [{ type: 'projects.project.created.v1', data: { projectId: 'p2', lab: 'L', creator: 'alice' } }],
      'no-stream',
    );
    await request(app.getHttpServer()).get('/projects/p2').set(as('alice')).expect(404);

    const read = request(app.getHttpServer()).get('/projects/p2').set(as('alice')).set('Cairn-Min-Position', String(position)).then((response) => response);
    const before = story.commits.length;
    story.createProject('p2', 'L', 'facility', 'alice');
    await append(before);

    expect((await read).status).toBe(200);
  });

  it('on a command, decides on the access the store holds when the command arrives: a grant or a revocation of a moment ago binds it without Cairn-Min-Position', async () => {
    const change = (tell: () => unknown) => {
      const before = story.commits.length;
      tell();
      return append(before);
    };
    for (let round = 0; round < 20; round++) {
      await change(() => story.setRole('p1', 'alice', 'dave', 'experimenter'));
      await request(app.getHttpServer()).post('/projects/p1/jobs').set(as('dave')).expect(201);
      await change(() => story.revokeRole('p1', 'alice', 'dave'));
      await request(app.getHttpServer()).post('/projects/p1/jobs').set(as('dave')).expect(403);
    }
  });

  it('refuses a malformed Cairn-Min-Position with 400', async () => {
    const response = await request(app.getHttpServer()).get('/projects/p1').set(as('alice')).set('Cairn-Min-Position', 'soon').expect(400);
    expect(response.body).toMatchObject({ rule: 'consistency.bad-position' });
  });
});

describe('a runner token', () => {
  it('reaches a route marked @RunnerAccess(), where the handler decides, whatever its role', async () => {
    await request(app.getHttpServer()).get('/projects/p1/files/f1').set(as('runner-1')).expect(200, { file: 'f1', readBy: 'runner runner-1' });
    await request(app.getHttpServer()).get('/projects/p1/files/f1').set(as('carol')).expect(200, { file: 'f1', readBy: 'carol' });
    // Eve cannot see the project: it answers as missing.
    await request(app.getHttpServer()).get('/projects/p1/files/f1').set(as('eve')).expect(404);
  });

  it('is refused with 403 on every other route, before its role is even asked', async () => {
    for (const path of ['/projects/p1', '/projects/p404']) {
      const response = await request(app.getHttpServer()).get(path).set(as('runner-1')).expect(403);
      expect(response.body).toMatchObject({ rule: 'auth.runner-not-allowed' });
    }
    await request(app.getHttpServer()).post('/jobs/j1/rerun').set(as('runner-1')).expect(403);
  });
});

describe('Authorizer in a handler', () => {
  it('checks the capability on a project found through another id', async () => {
    await request(app.getHttpServer()).post('/jobs/j1/rerun').set(as('bob')).expect(201, { rerunOf: 'j1' });
    // Eve does not see the job's project, so it answers as missing.
    const hidden = await request(app.getHttpServer()).post('/jobs/j1/rerun').set(as('eve')).expect(404);
    expect(hidden.body).toMatchObject({ rule: 'project.unknown' });
  });
});

// Last: it stops the projection the other specifications use.
describe('a projection that no longer follows the store', () => {
  it('answers 503 with Retry-After instead of deciding on stale access', async () => {
    await projection.stop();

    const response = await request(app.getHttpServer()).get('/projects/p1').set(as('alice')).expect(503);
    expect(response.headers['retry-after']).toBe('1');
    expect(response.body).toMatchObject({ rule: 'consistency.not-yet' });
  });
});
