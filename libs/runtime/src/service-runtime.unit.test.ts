import { ownCategories } from './service-runtime';
import { serviceConfigFromEnv } from './config';

describe('a service on EventStoreDB', () => {
  it('relays exactly the categories its own events are stored in', () => {
    expect(ownCategories('access').sort()).toEqual(['access_lab', 'access_project']);
    expect(ownCategories('projects')).toEqual(expect.arrayContaining(['projects_project', 'projects_filespace', 'projects_experiment']));
    expect(ownCategories('projects').every((category) => category.startsWith('projects_'))).toBe(true);
  });

  it('needs CAIRN_ESDB_URL when CAIRN_EVENT_STORE=esdb, and says so', () => {
    expect(() => serviceConfigFromEnv('access', { CAIRN_EVENT_STORE: 'esdb' })).toThrow(/CAIRN_ESDB_URL/);
    expect(() => serviceConfigFromEnv('access', { CAIRN_EVENT_STORE: 'kafka' })).toThrow(/"jetstream" or "esdb"/);
    expect(serviceConfigFromEnv('access', { CAIRN_EVENT_STORE: 'esdb', CAIRN_ESDB_URL: 'esdb://h:2113?tls=false' })).toMatchObject({
      eventStore: 'esdb',
      esdbUrl: 'esdb://h:2113?tls=false',
      mongoDb: 'cairn_access',
    });
  });
});
