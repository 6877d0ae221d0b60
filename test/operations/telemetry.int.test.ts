import request from 'supertest';
import { InMemorySpanExporter, SimpleSpanProcessor, type ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { headers as natsHeaders } from 'nats';
import { configureLogging, startTracing, type Tracing } from '@cairn/telemetry';
import { Platform, type Person } from '../projects/platform';

interface LogRecord {
  level: string;
  msg: string;
  component?: string;
  [field: string]: unknown;
}

/** Waits for what the consumers do in the background (their log lines come once a batch is settled). */
async function eventually<T>(probe: () => T | undefined | Promise<T | undefined>, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const found = await probe();
    if (found !== undefined) return found;
    if (Date.now() > deadline) throw new Error('not seen in time');
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/**
 * Operating the platform (issue #12, items 1-3): every request and every handled event is one JSON log
 * line carrying the correlation id of the request that caused it, in every service that handles its
 * events; /metrics serves the request, command, append and consumer figures; and one trace runs from a
 * request through its command and event to the projection that applied it. The access and projects
 * services run in this process, so their lines share one log here (the e2e specs read each service's own).
 */
describe('logs, metrics and traces of the access and projects services', () => {
  const lines: LogRecord[] = [];
  const exporter = new InMemorySpanExporter();
  let tracing: Tracing;
  let platform: Platform;
  let admin: Person;
  let ada: Person;

  const logged = (predicate: (line: LogRecord) => boolean) => eventually(() => lines.find(predicate));

  beforeAll(async () => {
    configureLogging({ service: 'cairn-test', destination: { write: (line: string) => void lines.push(JSON.parse(line) as LogRecord) } });
    tracing = startTracing({ service: 'cairn-test', spanProcessors: [new SimpleSpanProcessor(exporter)] });
    platform = await Platform.start();
    admin = await platform.signIn('facility-admin', true);
    ada = await platform.signIn('ada');
  });
  afterAll(async () => {
    await platform?.stop();
    await tracing?.shutdown();
  });

  describe('logs', () => {
    it("write one line per request, with its route, status, time and the correlation id the client sent as X-Request-Id, which the answer repeats", async () => {
      const created = await platform.accessAs(admin).post('/api/labs', { name: 'Optics', slug: 'optics' }).set('X-Request-Id', 'ops-lab-1');
      expect(created.status).toBe(201);
      expect(created.headers['x-request-id']).toBe('ops-lab-1');

      const line = await logged((entry) => entry.msg === 'request' && entry.correlationid === 'ops-lab-1');
      expect(line).toMatchObject({ level: 'info', component: 'http', method: 'POST', route: '/api/labs', path: '/api/labs', status: 201, actorid: admin.userId });
      expect(typeof line.durationMs).toBe('number');
      expect(typeof line.time).toBe('string');
    });

    it('carry that correlation id into the events the request appended, and into the line of every consumer that handled them, in either service', async () => {
      await platform.lab('photonics', [ada]);
      const created = await platform.as(ada).post('/api/projects', { lab: 'photonics', name: 'Lenses', scheme: 'facility' }).set('X-Request-Id', 'ops-project-1');
      expect(created.status).toBe(201);

      // The projects service's own projections, and the access service's reactor that initializes the project's access ...
      const handledCreated = await eventually(() => {
        const found = lines.filter((entry) => entry.msg === 'event handled' && entry.type === 'projects.project.created.v1' && entry.correlationid === 'ops-project-1');
        const consumers = new Set(found.map((entry) => entry.consumer));
        return consumers.has('access-project-initialization') && consumers.has('project_directory') ? found : undefined;
      });
      const createdEventId = handledCreated[0].eventid;
      // ... whose own event is part of the same request, caused by the event it answered, and handled in turn.
      const initialized = await logged((entry) => entry.msg === 'event handled' && entry.type === 'access.project.initialized.v1' && entry.correlationid === 'ops-project-1');
      expect(initialized).toMatchObject({ component: 'events', causationid: createdEventId });
      const stored = await platform.access.runtime.store.readStream({ context: 'access', aggregate: 'project', id: created.body.id });
      expect(stored[0]).toMatchObject({ type: 'access.project.initialized.v1', correlationid: 'ops-project-1', causationid: createdEventId });
    });

    it('take the trace id of a traceparent as the correlation id when no X-Request-Id is sent, and make one up when neither is', async () => {
      const traceId = '4bf92f3577b34da6a3ce929d0e0e4736';
      const traced = await platform.accessAs(admin).get('/api/labs/optics/members').set('traceparent', `00-${traceId}-00f067aa0ba902b7-01`);
      expect(traced.headers['x-request-id']).toBe(traceId);
      const untraced = await platform.accessAs(admin).get('/api/labs/optics/members');
      expect(untraced.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
      expect(await logged((entry) => entry.msg === 'request' && entry.correlationid === untraced.headers['x-request-id'])).toMatchObject({
        route: '/api/labs/:lab/members',
        status: 200,
      });
    });
  });

  describe('/metrics', () => {
    const scrape = async () => {
      const response = await request(platform.access.server).get('/metrics').expect(200);
      expect(response.headers['content-type']).toMatch(/^text\/plain;.*version=0\.0\.4/);
      return response.text;
    };

    it('serves HTTP latency histograms by route and status, without a token', async () => {
      await platform.accessAs(admin).post('/api/labs', { name: 'Optics again', slug: 'optics' }).expect(409);
      const metrics = await scrape();
      expect(metrics).toContain('# TYPE cairn_http_request_duration_seconds histogram');
      expect(metrics).toMatch(/cairn_http_request_duration_seconds_count\{method="POST",route="\/api\/labs",status="201"\} [1-9]/);
      expect(metrics).toMatch(/cairn_http_request_duration_seconds_count\{method="POST",route="\/api\/labs",status="409"\} [1-9]/);
      expect(metrics).toMatch(/cairn_http_request_duration_seconds_bucket\{le="0\.1",method="GET",route="\/api\/labs\/:lab\/members",status="200"\} \d+/);
    });

    it('counts commands by type and outcome, and appends and conflicts by stream category', async () => {
      const metrics = await scrape();
      expect(metrics).toMatch(/cairn_commands_total\{command="CreateLab",outcome="accepted"\} [1-9]/);
      expect(metrics).toMatch(/cairn_commands_total\{command="CreateLab",outcome="refused"\} [1-9]/);
      expect(metrics).toMatch(/cairn_appends_total\{category="access_lab"\} [1-9]/);
      expect(metrics).toContain('# TYPE cairn_append_conflicts_total counter');
    });

    it("reports each consumer's lag behind the stream's head and the messages it dead-lettered", async () => {
      // An event of a type no catalogue knows, on a subject the lab projection reads: it can only be dead-lettered.
      const poison = {
        specversion: '1.0',
        id: '019a0000-0000-7000-8000-000000000001',
        source: 'cairn/access',
        type: 'access.lab.exploded.v1',
        subject: 'lab/poison',
        time: new Date().toISOString(),
        datacontenttype: 'application/json',
        data: {},
        streamid: 'access_lab-poison',
        streamversion: 0,
      };
      const headers = natsHeaders();
      headers.set('Nats-Msg-Id', poison.id);
      await platform.access.runtime.nc.jetstream().publish('cairn.events.access.lab.poison', new TextEncoder().encode(JSON.stringify(poison)), { headers });
      // Dead-lettered, then settled: the message is held on the dead-letter stream before it is acknowledged
      // (nothing is lost in between), so for a moment the gauges say "dead-lettered" and "1 behind" at once.
      const deadLettered = await eventually(async () => {
        const text = await scrape();
        return /cairn_dead_letters\{consumer="lab_members"\} 1/.test(text) && /cairn_consumer_lag_events\{consumer="lab_members"\} 0/.test(text) ? text : undefined;
      });
      expect(deadLettered).toMatch(/cairn_consumer_lag_events\{consumer="access-project-initialization"\} \d+/);
      expect(deadLettered).toMatch(/cairn_dead_letters\{consumer="access-project-initialization"\} 0/);
    });
  });

  describe('traces', () => {
    it('follow one request from its HTTP span through the command and the append of its event to the projection that applied it', async () => {
      const traceId = '0af7651916cd43dd8448eb211c80319c';
      const callerSpan = 'b7ad6b7169203331';
      await platform
        .accessAs(admin)
        .post('/api/labs/optics/members', { user: 'ada' })
        .set('traceparent', `00-${traceId}-${callerSpan}-01`)
        .expect(201);

      const inTrace = () => exporter.getFinishedSpans().filter((span) => span.spanContext().traceId === traceId);
      const applied = await eventually(() => inTrace().find((span) => span.name === 'lab_members handle access.lab.member-added.v1'));
      const byId = new Map(inTrace().map((span) => [span.spanContext().spanId, span]));
      const chain: ReadableSpan[] = [];
      for (let span: ReadableSpan | undefined = applied; span; span = byId.get(span.parentSpanContext?.spanId ?? '')) chain.unshift(span);

      expect(chain.map((span) => span.name)).toEqual(['POST /api/labs/:lab/members', 'command AddLabMember', 'append access_lab', 'lab_members handle access.lab.member-added.v1']);
      expect(chain[0].parentSpanContext?.spanId).toBe(callerSpan);
      expect(chain[0].attributes).toMatchObject({ 'http.route': '/api/labs/:lab/members', 'http.response.status_code': 201 });
      expect(chain[1].attributes).toMatchObject({ 'cairn.command': 'AddLabMember', 'cairn.outcome': 'accepted' });
      const stored = await platform.access.runtime.store.readStream({ context: 'access', aggregate: 'lab', id: 'optics' });
      expect(stored[stored.length - 1].traceparent).toBe(`00-${traceId}-${chain[2].spanContext().spanId}-01`);
    });
  });
});
