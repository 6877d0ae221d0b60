import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import request from 'supertest';
import { JetStreamEventStore } from '@cairn/event-store';
import type { ServiceContext } from '@cairn/messaging';
import { startServiceUnderTest, type ServiceDefinition, type ServiceUnderTest } from '@cairn/runtime';
import { startNatsServer, type NatsServerHandle } from '@cairn/testing';
// The projects service learns access from the access service's events, so its HTTP specifications run
// both services in one process on one nats-server.
import { accessService } from '@cairn/access-service';
import { jobsService } from '@cairn/jobs-service';
import { projectsService } from '@cairn/projects-service';

export interface Person {
  username: string;
  userId: string;
  token: string;
}

type Call = request.Test;

export interface PlatformOptions {
  /** More environment for the projects service. */
  env?: Record<string, string>;
  /** Start the jobs service too, with this environment. */
  jobs?: Record<string, string>;
  /** More services to start beside access and projects (the logbook). */
  others?: ServiceDefinition[];
}

/**
 * The access and projects services on one nats-server (and any others a specification names: the jobs
 * service with its environment, the logbook), and people who use them: the guides' flows read as calls of
 * one person to one service. Commands answer `Cairn-Position`; every call sends the highest
 * position seen so far as `Cairn-Min-Position`, as a browser session would, so reads see earlier writes
 * whichever service made them.
 */
export class Platform {
  /** The facility admin who creates the labs (`cairn_admin`): registers job templates too. */
  admin!: Person;
  private lastPosition = 0;
  private readonly stores: JetStreamEventStore[] = [];

  private constructor(
    readonly nats: NatsServerHandle,
    readonly access: ServiceUnderTest,
    readonly projects: ServiceUnderTest,
    readonly dataDir: string,
    /** The other services started with these two, by name. */
    readonly services: ReadonlyMap<string, ServiceUnderTest>,
  ) {}

  static async start(options: PlatformOptions = {}): Promise<Platform> {
    const nats = await startNatsServer();
    const dataDir = await mkdtemp(join(tmpdir(), 'cairn-projects-'));
    const access = await startServiceUnderTest(accessService, nats);
    const projects = await startServiceUnderTest(projectsService, nats, { env: { CAIRN_DATA_DIR: dataDir, ...options.env } });
    const services = new Map<string, ServiceUnderTest>();
    if (options.jobs) services.set('jobs', await startServiceUnderTest(jobsService, nats, { env: options.jobs }));
    for (const definition of options.others ?? []) services.set(definition.name, await startServiceUnderTest(definition, nats));
    const platform = new Platform(nats, access, projects, dataDir, services);
    platform.admin = await platform.signIn('facility-admin', true);
    return platform;
  }

  /** The jobs service, when the platform was started with it. */
  get jobs(): ServiceUnderTest {
    const jobs = this.services.get('jobs');
    if (!jobs) throw new Error('start the platform with { jobs: {...} } to call the jobs service');
    return jobs;
  }

  /**
   * The event store as the service of `context` appends to it (its NATS identity may publish only that
   * context's events): what a specification uses to append a service's events that no running service makes.
   */
  async storeAs(context: ServiceContext): Promise<JetStreamEventStore> {
    const store = await JetStreamEventStore.connect({ connection: this.nats.connectionOptions({ kind: 'service', context }) });
    this.stores.push(store);
    return store;
  }

  async stop(): Promise<void> {
    for (const store of this.stores.splice(0)) await store.close();
    for (const service of this.services?.values() ?? []) await service.close();
    await this.projects?.close();
    await this.access?.close();
    await this.nats?.stop();
    await rm(this.dataDir, { recursive: true, force: true });
  }

  /** Someone who has signed in once (so the access service's directory knows them). */
  async signIn(username: string, admin = false): Promise<Person> {
    const token = await this.access.token({ username, admin, email: `${username}@example.org`, name: username });
    await request(this.access.server).get('/api/users?lab=none').set('authorization', `Bearer ${token}`);
    return { username, userId: `u-${username}`, token };
  }

  /** A lab created by the facility admin with these members, through the access service's endpoints. */
  async lab(slug: string, members: Person[]): Promise<void> {
    const created = await this.accessAs(this.admin).post('/api/labs', { name: slug, slug });
    if (created.status !== 201) throw new Error(`lab ${slug}: ${created.status} ${JSON.stringify(created.body)}`);
    for (const member of members) {
      const added = await this.accessAs(this.admin).post(`/api/labs/${slug}/members`, { user: member.username });
      if (added.status !== 201) throw new Error(`member ${member.username}: ${added.status} ${JSON.stringify(added.body)}`);
    }
  }

  /** Calls of one person to the projects service. */
  as(person: Person) {
    return this.caller(this.projects, person);
  }

  /** Calls of one person to the jobs service. */
  jobsAs(person: Person) {
    return this.caller(this.jobs, person);
  }

  /** Calls of one person to the access service (manage access). */
  accessAs(person: Person) {
    return this.caller(this.access, person);
  }

  /**
   * One person's calls to both services as a client that knows nothing of consistency tokens: no
   * `Cairn-Min-Position`, ever. Its commands still see its earlier ones (docs/architecture.md §3).
   */
  withoutTokens(person: Person) {
    return { projects: this.caller(this.projects, person, false), access: this.caller(this.access, person, false) };
  }

  /** Calls of one person to another service started with the platform. */
  to(service: string, person: Person) {
    const other = this.services.get(service);
    if (!other) throw new Error(`the ${service} service was not started with this platform`);
    return this.caller(other, person);
  }

  /** A write made behind the HTTP layer (as the jobs service will): later calls wait for its position too. */
  observe(position: number): void {
    this.lastPosition = Math.max(this.lastPosition, position);
  }

  private caller(service: ServiceUnderTest, person: Person, sendsPosition = true) {
    const send = (call: Call): Call => {
      const authorized = call.set('authorization', `Bearer ${person.token}`);
      return (sendsPosition ? authorized.set('Cairn-Min-Position', String(this.lastPosition)) : authorized).on('response', (response: { headers: Record<string, string> }) => {
        const position = Number(response.headers['cairn-position']);
        if (Number.isSafeInteger(position)) this.observe(position);
      });
    };
    const api = () => request(service.server);
    return {
      get: (path: string) => send(api().get(path)),
      post: (path: string, body: object = {}) => send(api().post(path)).send(body),
      put: (path: string, body: object = {}) => send(api().put(path)).send(body),
      patch: (path: string, body: object = {}) => send(api().patch(path)).send(body),
      delete: (path: string, body: object = {}) => send(api().delete(path)).send(body),
      upload: (path: string, filePath: string, content: Buffer | string, filename = 'data.bin') =>
        send(api().post(path)).field('path', filePath).attach('file', Buffer.from(content), filename),
    };
  }
}
