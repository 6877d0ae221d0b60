import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import request from 'supertest';
import { startServiceUnderTest, type ServiceUnderTest } from '@cairn/runtime';
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
}

/**
 * The access and projects services (and the jobs service, when asked) on one nats-server, and people who use them: the guides' flows read
 * as calls of one person to one service. Commands answer `Cairn-Position`; every call sends the highest
 * position seen so far as `Cairn-Min-Position`, as a browser session would, so reads see earlier writes
 * whichever service made them.
 */
export class Platform {
  /** The facility admin who creates the labs (`cairn_admin`): registers job templates too. */
  admin!: Person;
  private lastPosition = 0;

  private constructor(
    readonly nats: NatsServerHandle,
    readonly access: ServiceUnderTest,
    readonly projects: ServiceUnderTest,
    readonly dataDir: string,
    private readonly jobsService?: ServiceUnderTest,
  ) {}

  static async start(options: PlatformOptions = {}): Promise<Platform> {
    const nats = await startNatsServer();
    const dataDir = await mkdtemp(join(tmpdir(), 'cairn-projects-'));
    const access = await startServiceUnderTest(accessService, nats);
    const projects = await startServiceUnderTest(projectsService, nats, { env: { CAIRN_DATA_DIR: dataDir, ...options.env } });
    const jobs = options.jobs ? await startServiceUnderTest(jobsService, nats, { env: options.jobs }) : undefined;
    const platform = new Platform(nats, access, projects, dataDir, jobs);
    platform.admin = await platform.signIn('facility-admin', true);
    return platform;
  }

  /** The jobs service, when the platform was started with it. */
  get jobs(): ServiceUnderTest {
    if (!this.jobsService) throw new Error('start the platform with { jobs: {...} } to call the jobs service');
    return this.jobsService;
  }

  async stop(): Promise<void> {
    await this.jobsService?.close();
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

  /** A write made behind the HTTP layer (as the jobs service will): later calls wait for its position too. */
  observe(position: number): void {
    this.lastPosition = Math.max(this.lastPosition, position);
  }

  private caller(service: ServiceUnderTest, person: Person) {
    const send = (call: Call): Call =>
      call.set('authorization', `Bearer ${person.token}`).set('Cairn-Min-Position', String(this.lastPosition)).on('response', (response: { headers: Record<string, string> }) => {
        const position = Number(response.headers['cairn-position']);
        if (Number.isSafeInteger(position)) this.observe(position);
      });
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
