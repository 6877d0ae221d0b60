import { accessService } from '@cairn/access-service';
import { startServiceUnderTest, type ServiceUnderTest } from '@cairn/runtime';
import { Platform, type Person } from './platform';

/**
 * "Anyone can create a project": the creator's list, read with the position the create answered, shows
 * the project. The projects service appends the creation; the access service makes the creator owner only
 * after it sees it, so the create answers once that has happened too. Here the access service's reactor
 * is held back, as a loaded machine or a slow replica would hold it back, and takes the creation up again
 * 300 ms later (another replica).
 */
describe('a project created while the access service is slow to make its creator owner', () => {
  let platform: Platform;
  let bob: Person;
  let replica: ServiceUnderTest | undefined;

  beforeAll(async () => {
    platform = await Platform.start();
    bob = await platform.signIn('bob');
    await platform.lab('sundog', [bob]);
  }, 30_000);
  afterAll(async () => {
    await replica?.close();
    await platform?.stop();
  }, 30_000);

  it('is listed to its creator by the read that sends the position its create answered', async () => {
    await Promise.all(platform.access.runtime.reactors.map((reactor) => reactor.stop()));
    const creating = platform.as(bob).post('/api/projects', { lab: 'sundog', name: 'Slow start', scheme: 'lab' });
    const replicaStarts = new Promise((resolve) => setTimeout(resolve, 300)).then(async () => {
      replica = await startServiceUnderTest(accessService, platform.nats);
    });
    const created = await creating;
    expect(created.status).toBe(201);

    const mine = await platform.as(bob).get('/api/projects?lab=sundog');
    await replicaStarts;
    expect(mine.status).toBe(200);
    expect(mine.body.items).toEqual([created.body]);
  });
});
