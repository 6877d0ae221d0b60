import { ConflictException, Controller, Param, Post, type INestApplication } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { MongoClient, type Db } from 'mongodb';
import request from 'supertest';
import { DevTokenVerifier, LOCAL_DEV_JWT_SECRET, signDevToken } from '@cairn/auth';
import type { Decider, DomainEvent } from '@cairn/contracts';
import { commandHandler, JetStreamEventStore, StoreUnavailableError } from '@cairn/event-store';
import { startNatsServer, testMongoUrl, uniqueDbName, type NatsServerHandle } from '@cairn/testing';
import { CairnHttpModule } from './http.module';
import { ProblemFilter } from './problem.filter';

type LabCreated = DomainEvent<'access.lab.created.v1', { lab: string; name: string; slug: string; actor: string }>;
const labStream = (lab: string) => ({ context: 'access', aggregate: 'lab', id: lab });
/** Creates a lab once; a second create is refused, as the real decider does. */
const createOnce: Decider<string, boolean, LabCreated> = {
  initialState: () => false,
  decide: (lab, exists) => {
    if (exists) throw new ConflictException(`lab ${lab} already exists`);
    return [{ type: 'access.lab.created.v1', data: { lab, name: lab, slug: lab, actor: 'u-alice' } }];
  },
  evolve: () => true,
};

let store: JetStreamEventStore;
/** Labs whose first answer is lost after their append was stored, as when the stream leader goes with the acknowledgement. */
const answerLost = new Set<string>();

@Controller('labs')
class LabsController {
  @Post(':lab')
  async create(@Param('lab') lab: string) {
    const outcome = await commandHandler(store, createOnce, labStream)(lab, lab, { actor: 'u-alice' });
    if (answerLost.delete(lab)) throw new StoreUnavailableError(`the append to ${lab} got no answer`);
    return { lab, position: outcome.position };
  }
}

describe('Idempotency-Key when the store could not say whether an append was stored', () => {
  let nats: NatsServerHandle;
  let mongo: MongoClient;
  let db: Db;
  let app: INestApplication;
  let token: string;
  const create = (lab: string, key: string) =>
    request(app.getHttpServer()).post(`/labs/${lab}`).set('authorization', `Bearer ${token}`).set('idempotency-key', key);

  beforeAll(async () => {
    nats = await startNatsServer();
    store = await JetStreamEventStore.connect({ connection: nats.connectionOptions() });
    mongo = await MongoClient.connect(testMongoUrl());
    db = mongo.db(uniqueDbName('idempotency_in_doubt'));
    const moduleRef = await Test.createTestingModule({
      imports: [CairnHttpModule.forRoot({ verifier: new DevTokenVerifier({ secret: LOCAL_DEV_JWT_SECRET }), db })],
      controllers: [LabsController],
    }).compile();
    app = moduleRef.createNestApplication({ logger: false });
    app.useGlobalFilters(new ProblemFilter());
    await app.init();
    token = await signDevToken({ username: 'alice', admin: true }, LOCAL_DEV_JWT_SECRET);
  });
  afterAll(async () => {
    await app?.close();
    await store?.close();
    await nats?.stop();
    await db?.dropDatabase();
    await mongo?.close();
  });

  it('answers the retry with the commit the first try stored, and stores nothing twice', async () => {
    answerLost.add('optics');
    await create('optics', 'k-1').expect(503);
    const retry = await create('optics', 'k-1').expect(201);
    const [stored, ...more] = await store.readStream(labStream('optics'));
    expect(more).toEqual([]);
    expect(retry.body).toEqual({ lab: 'optics', position: stored.position });
    await create('optics', 'k-1').expect(201, retry.body);
  });

  it('still refuses the same change under another key', async () => {
    await create('lasers', 'k-2').expect(201);
    await create('lasers', 'k-3').expect(409);
  });
});
