import type { Server } from 'node:http';
import type { ServerSentEvent } from '@cairn/console/event-stream';
import { followEventStream, listenOnLoopback } from '../projects/event-stream-follower';
import { CPU, Facility } from './support/facility';

/**
 * "Go to Analysis → Jobs", live: `GET /api/jobs` with `Accept: text/event-stream` tells a person of each
 * change of a job in the projects they may read, checked against their access as of that job's event,
 * over a real HTTP connection to the jobs service on real NATS and FerretDB.
 */
describe('the jobs of every project one may read, as server-sent events', () => {
  let facility: Facility;
  let server: Server;

  beforeAll(async () => {
    facility = await Facility.start();
    server = await listenOnLoopback(facility.platform.jobs.server);
  }, 90_000);
  afterAll(async () => {
    server?.closeAllConnections();
    await facility?.stop();
    await new Promise((closed) => server?.close(closed));
  }, 30_000);

  const statistics = (person: Facility['carol'], project: string, file: string) =>
    facility.run(person, { template: 'File Statistics', inputs: [file], machine: CPU }, project).expect(201).then((response) => response.body.id as string);
  const rendering = (person: Facility['carol'], project: string, file: string) =>
    facility.run(person, { template: 'Render Molecule', inputs: [file], machine: CPU }, project).expect(201).then((response) => response.body.id as string);
  const access = (method: 'put' | 'delete', project: string, username: string) =>
    (method === 'put' ? facility.platform.accessAs(facility.olga).put(`/api/projects/${project}/access/users/${username}`, { role: 'viewer' }) : facility.platform.accessAs(facility.olga).delete(`/api/projects/${project}/access/users/${username}`, {})).expect(200);

  /** The events up to and including the next one named `name`. */
  async function until(next: () => Promise<ServerSentEvent>, name: string): Promise<ServerSentEvent[]> {
    const seen: ServerSentEvent[] = [];
    for (;;) {
      const event = await next();
      seen.push(event);
      if (event.event === name) return seen;
    }
  }
  const jobsIn = (events: ServerSentEvent[]) => events.filter((event) => event.event === 'job').map((event) => JSON.parse(event.data) as { jobId: string; type: string; position: number });

  it('a job of a project one cannot see never appears, one of a project one reads does; once access is revoked, none of that project appears any more', async () => {
    const stream = await followEventStream(server, '/api/jobs', facility.carol.token);
    try {
      expect(stream.response.status).toBe(200);
      expect(stream.response.headers.get('content-type')).toMatch(/^text\/event-stream/);
      const open = await stream.next();
      expect(open.event).toBe('open');
      expect(JSON.parse(open.data)).toEqual({ position: expect.any(Number) });

      const unseen = await rendering(facility.olga, facility.elsewhere, facility.files.elsewherePdb);
      const bobs = await statistics(facility.bob, facility.project, facility.files.csv);
      const first = jobsIn(await until(stream.next, 'job'));
      expect(first).toEqual([{ position: expect.any(Number), jobId: bobs, projectId: facility.project, type: 'jobs.job.requested.v1' }]);
      expect(first[0].jobId).not.toBe(unseen);
      // The event's position is the one to read the list with: it shows the job then.
      const listed = await facility.platform.jobsAs(facility.carol).get('/api/jobs').set('Cairn-Min-Position', String(first[0].position)).expect(200);
      expect(listed.body.items.map((job: { id: string }) => job.id)).toEqual([bobs]);

      await access('delete', facility.project, 'carol');
      const revoked = await until(stream.next, 'access');
      expect(jobsIn(revoked)).toEqual([]);
      const afterRevocation = await statistics(facility.bob, facility.project, facility.files.csv);
      await access('put', facility.elsewhere, 'carol');
      const nowSeen = await rendering(facility.olga, facility.elsewhere, facility.files.elsewherePdb);
      const later = await until(stream.next, 'job');
      expect(later.map((event) => event.event)).toEqual(['access', 'job']);
      expect(jobsIn(later).map((job) => job.jobId)).toEqual([nowSeen]);
      expect(jobsIn(later).map((job) => job.jobId)).not.toContain(afterRevocation);
    } finally {
      stream.close();
    }
  });

  it('without a token the stream is refused with a problem document, before it opens', async () => {
    const stream = await followEventStream(server, '/api/jobs', 'not-a-token');
    expect(stream.response.status).toBe(401);
    expect(stream.response.headers.get('content-type')).toMatch(/application\/problem\+json/);
  });
});
