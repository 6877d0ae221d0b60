import type { Server } from 'node:http';
import { followEventStream, listenOnLoopback } from './event-stream-follower';
import { Platform, type Person } from './platform';

/**
 * The project page's activity, live: `GET /api/projects/:id/activity` with `Accept: text/event-stream`
 * answers the entries after the caller's newest one, then each new one as it happens, from every
 * service, over a real HTTP connection, read with the console's own stream reader.
 */
describe('project activity as server-sent events', () => {
  let platform: Platform;
  let server: Server;
  let alice: Person, bob: Person, oscar: Person;
  let projectId: string;

  beforeAll(async () => {
    platform = await Platform.start();
    [alice, bob, oscar] = await Promise.all(['alice', 'bob', 'oscar'].map((name) => platform.signIn(name)));
    await platform.lab('crystallography', [alice, bob]);
    const created = await platform.as(alice).post('/api/projects', { lab: 'crystallography', name: 'Lysozyme 2026', scheme: 'facility' });
    projectId = created.body.id;
    await platform.as(alice).get(`/api/projects/${projectId}`).expect(200);
    server = await listenOnLoopback(platform.projects.server);
  }, 30_000);
  afterAll(async () => {
    server?.closeAllConnections();
    await platform?.stop();
    await new Promise((closed) => server?.close(closed));
  }, 30_000);

  /** Opens the stream as `person`; `next()` answers the next event (failing after a few seconds). */
  async function follow(person: Person, after?: number) {
    const query = after === undefined ? '' : `?after=${after}`;
    const { response, next, close } = await followEventStream(server, `/api/projects/${projectId}/activity${query}`, person.token);
    /** The next event of `type`, skipping others (the access service initializes the project in its own time). */
    const nextOfType = async (type: string): Promise<{ id: number; entry: { type: string; position: number } & Record<string, unknown> }> => {
      for (;;) {
        const event = await next();
        const entry = JSON.parse(event.data);
        if (entry.type === type) return { id: Number(event.id), entry };
      }
    };
    return { response, next, nextOfType, close };
  }

  it('given a reader of the project, then entries after their newest one arrive first, and new ones from other services live', async () => {
    const page = await platform.as(alice).get(`/api/projects/${projectId}`).expect(200);
    const newest: number = page.body.latestActivity[0].position;
    const granted = await platform.accessAs(alice).put(`/api/projects/${projectId}/access/users/bob`, { role: 'member', reason: 'joins the phasing' });
    expect(granted.status).toBe(200);

    const stream = await follow(alice, newest);
    expect(stream.response.status).toBe(200);
    expect(stream.response.headers.get('content-type')).toMatch(/^text\/event-stream/);
    try {
      const first = await stream.next();
      expect(first.event).toBe('activity');
      expect(Number(first.id)).toBeGreaterThan(newest);
      const caughtUp = JSON.parse(first.data).type === 'access.role.granted.v1' ? { id: Number(first.id), entry: JSON.parse(first.data) } : await stream.nextOfType('access.role.granted.v1');
      expect(caughtUp.entry).toMatchObject({ actor: alice.userId, details: { user: bob.userId, after: 'member' } });

      await platform.as(bob).upload(`/api/projects/${projectId}/files`, 'raw/run-1/frame.cbf', 'diffraction').expect(201);
      const live = await stream.nextOfType('projects.file.added.v1');
      expect(live.entry).toMatchObject({ context: 'projects', details: { path: 'raw/run-1/frame.cbf' } });
      expect(live.id).toBeGreaterThan(caughtUp.id);
    } finally {
      stream.close();
    }
  });

  it('when a follower loses access, then their stream says so and ends', async () => {
    const stream = await follow(bob);
    try {
      await platform.accessAs(alice).delete(`/api/projects/${projectId}/access/users/bob`, { reason: 'left the group' }).expect(200);
      const revokedAt = Date.now();
      const ended = await stream.next();
      console.info(`activity stream ended ${Date.now() - revokedAt} ms after the revocation was answered`);
      expect(ended.event).toBe('end');
      expect(JSON.parse(ended.data)).toEqual({ rule: 'capability.project.read', detail: 'You can no longer read this project.' });
    } finally {
      stream.close();
    }
  });

  it('someone who cannot read the project is refused before any stream opens, as if it did not exist, with a problem document', async () => {
    const stream = await follow(oscar);
    expect(stream.response.status).toBe(404);
    expect(stream.response.headers.get('content-type')).toMatch(/application\/problem\+json/);
    expect(await stream.response.json()).toMatchObject({ status: 404, rule: 'project.unknown' });
  });
});
