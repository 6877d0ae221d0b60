import 'reflect-metadata';
import { performance } from 'node:perf_hooks';
import { LOCAL_DEV_JWT_SECRET, signDevToken } from '@cairn/auth';
import { DomainError, type Decider, type DomainEvent, type LabEvent, type ProjectAccessEvent, type StreamName } from '@cairn/contracts';
import type { EventStore } from '@cairn/event-store';
import { createServiceApp } from '@cairn/http';
import { createServiceHost, serviceConfigFromEnv, ServiceRuntime } from '@cairn/runtime';
import { startFerretDb, startNatsServer } from '@cairn/testing';
// The history is what the access service's own deciders produce, served by the service itself.
import { accessService, labDecider, projectAccessDecider } from '@cairn/access-service';
import { exitWith } from '../exit-with';

/**
 * `GET /api/audit/access/at` latency over a long access history: 100,000 access events made by the
 * access deciders (grants, changes, revocations, base-level changes, ownership transfers, lab members
 * joining and leaving), appended in commits of about COMMIT events through the JetStream store on a
 * private nats-server; then the `access_intervals` projection builds on a private FerretDB (timed, beside
 * `directory_names`, which names the people in the answers), and QUERIES questions at random instants of
 * random projects go through HTTP. Nothing here asserts.
 *
 * `CAIRN_BENCH_AUDIT_EVENTS` (or the first argument when run directly) sets the number of events.
 */

const DEFAULT_EVENTS = 100_000;
const LABS = 4;
const MEMBERS_PER_LAB = 40;
const PROJECTS = 200;
const COMMIT = 100;
const QUERIES = 200;
/** One lab member joins or leaves for every this many project events. */
const PROJECT_EVENTS_PER_MEMBERSHIP_CHANGE = 200;

/** A deterministic pseudo-random sequence, so runs are comparable. */
function random(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state * 1_103_515_245 + 12_345) % 2 ** 31;
    return state / 2 ** 31;
  };
}
const next = random(42);
const pick = <T>(items: readonly T[]): T => items[Math.floor(next() * items.length)];

const labId = (lab: number) => `bench-lab-${lab}`;
const userOf = (lab: number, member: number) => `u-${lab}-${member}`;
const labAdmin = (lab: number) => userOf(lab, 0);

/** An aggregate being written: its state as the decider folds it, and the events not yet appended. */
class Writer<Command, State, Event extends DomainEvent> {
  state: State;
  version: number | 'no-stream' = 'no-stream';
  private pending: Event[] = [];

  constructor(
    readonly stream: StreamName,
    private readonly decider: Decider<Command, State, Event>,
  ) {
    this.state = decider.initialState();
  }

  /** Decides; a refusal (the random command broke a rule) records nothing and answers 0. */
  decide(command: Command): number {
    let events: Event[];
    try {
      events = this.decider.decide(command, this.state);
    } catch (error) {
      if (error instanceof DomainError) return 0;
      throw error;
    }
    for (const event of events) this.state = this.decider.evolve(this.state, event);
    this.pending.push(...events);
    return events.length;
  }

  get pendingCount(): number {
    return this.pending.length;
  }

  async flush(store: EventStore): Promise<void> {
    if (this.pending.length === 0) return;
    const { nextVersion } = await store.append(
      this.stream,
      this.pending.map(({ type, data }) => ({ type, data })),
      this.version,
    );
    this.version = nextVersion;
    this.pending = [];
  }
}

type LabWriter = Writer<Parameters<typeof labDecider.decide>[0], ReturnType<typeof labDecider.initialState>, LabEvent>;
type ProjectWriter = Writer<
  Parameters<typeof projectAccessDecider.decide>[0],
  ReturnType<typeof projectAccessDecider.initialState>,
  ProjectAccessEvent
>;
const ACCESS_INTERVALS = 'access_intervals';
const DIRECTORY_NAMES = 'directory_names';

interface History {
  events: number;
  first: number;
  last: number;
  appendSeconds: number;
  projects: string[];
}

async function appendHistory(store: EventStore, target: number): Promise<History> {
  const started = performance.now();
  const first = Date.now();
  const now = () => new Date().toISOString();
  let events = 0;

  const labs: LabWriter[] = Array.from({ length: LABS }, (_, lab) => {
    const writer = new Writer({ context: 'access', aggregate: 'lab', id: labId(lab) }, labDecider);
    const person = (member: number) => ({ userId: userOf(lab, member), username: userOf(lab, member), displayName: `Member ${member} of lab ${lab}` });
    events += writer.decide({ type: 'CreateLab', lab: labId(lab), name: labId(lab), slug: labId(lab), creator: person(0), creatorIsFacilityAdmin: true });
    for (let member = 1; member < MEMBERS_PER_LAB; member += 1) {
      events += writer.decide({ type: 'AddLabMember', actor: labAdmin(lab), member: person(member), admin: false });
    }
    return writer;
  });
  for (const writer of labs) await writer.flush(store);

  const isMember = (lab: number, user: string) => labs[lab].state?.members.has(user) ?? false;
  const personIn = (lab: number, user: string) => ({ id: user, isLabMember: isMember(lab, user) });
  const projects: { lab: number; owner: string; writer: ProjectWriter }[] = Array.from({ length: PROJECTS }, (_, index) => {
    const lab = index % LABS;
    const writer = new Writer({ context: 'access', aggregate: 'project', id: `bench-p${index}` }, projectAccessDecider);
    const scheme = index % 2 === 0 ? 'lab' : 'facility';
    events += writer.decide({
      type: 'InitializeProjectAccess',
      projectId: `bench-p${index}`,
      lab: labId(lab),
      scheme,
      ...(scheme === 'lab' && { baseLevel: 'viewer' }),
      creator: labAdmin(lab),
      now: now(),
    });
    return { lab, owner: labAdmin(lab), writer };
  });

  /** One random change by the project's owner; most are grants and changes, some removals, base levels and transfers. */
  const change = (project: (typeof projects)[number]): number => {
    const { lab, writer } = project;
    const access = writer.state;
    if (!access) throw new Error(`${writer.stream.id} was not initialized`);
    const actor = personIn(lab, project.owner);
    const user = personIn(lab, userOf(lab, 1 + Math.floor(next() * (MEMBERS_PER_LAB - 1))));
    const roll = next();
    const lowerRoles = access.scheme.roles.filter((role) => role !== access.scheme.ownerRole);
    const common = { actor, now: now(), reason: 'benchmark' };
    if (roll < 0.6) return writer.decide({ type: 'SetRole', ...common, user, role: pick(lowerRoles) });
    if (roll < 0.85) return writer.decide({ type: 'RevokeRole', ...common, user });
    if (access.scheme.hasBaseLevel) return writer.decide({ type: 'ChangeBaseLevel', ...common, level: pick(lowerRoles) });
    if (!user.isLabMember) return 0;
    const appended = writer.decide({ type: 'TransferOwnership', ...common, to: user });
    if (appended > 0) project.owner = user.id;
    return appended;
  };

  let sinceMembershipChange = 0;
  for (let round = 0; events < target; round += 1) {
    const project = projects[round % PROJECTS];
    while (project.writer.pendingCount < COMMIT && events < target) {
      const appended = change(project);
      events += appended;
      sinceMembershipChange += appended;
      if (sinceMembershipChange >= PROJECT_EVENTS_PER_MEMBERSHIP_CHANGE) {
        sinceMembershipChange = 0;
        // Never the lab admin, who owns the lab's projects at first and adds and removes the others.
        const lab = Math.floor(next() * LABS);
        const member = 1 + Math.floor(next() * (MEMBERS_PER_LAB - 1));
        const user = userOf(lab, member);
        events += isMember(lab, user)
          ? labs[lab].decide({ type: 'RemoveLabMember', actor: labAdmin(lab), userId: user, reason: 'benchmark' })
          : labs[lab].decide({ type: 'AddLabMember', actor: labAdmin(lab), member: { userId: user, username: user, displayName: user }, admin: false });
        await labs[lab].flush(store);
      }
    }
    await project.writer.flush(store);
  }
  for (const { writer } of projects) await writer.flush(store);
  return {
    events,
    first,
    last: Date.now(),
    appendSeconds: (performance.now() - started) / 1000,
    projects: projects.map(({ writer }) => writer.stream.id),
  };
}

const percentile = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
const seconds = (s: number) => `${s.toFixed(1)} s`;

export async function run(target = Number(process.env.CAIRN_BENCH_AUDIT_EVENTS ?? DEFAULT_EVENTS)): Promise<void> {
  const [nats, ferret] = await Promise.all([startNatsServer(), startFerretDb()]);
  let runtime: ServiceRuntime | undefined;
  let app: Awaited<ReturnType<typeof createServiceApp>> | undefined;
  let stopServiceParts: (() => Promise<void>) | undefined;
  try {
    const env = {
      CAIRN_AUTH_MODE: 'dev',
      CAIRN_DEV_JWT_SECRET: LOCAL_DEV_JWT_SECRET,
      NATS_URL: nats.url,
      MONGO_URL: ferret.url,
      MONGO_DB: 'bench_audit_at',
    };
    const config = serviceConfigFromEnv('access', env);

    // The history first, with no projection running: the build below is then a catch-up from position 0.
    const writer = await ServiceRuntime.start({ config, projections: [], env });
    const history = await appendHistory(writer.store, target);
    const head = await writer.store.headPosition();
    await writer.close();
    console.log(
      `${history.events.toLocaleString('en-US')} access events (${LABS} labs of ${MEMBERS_PER_LAB}, ${PROJECTS} projects in both schemes), ` +
        `appended in commits of ≤${COMMIT} in ${seconds(history.appendSeconds)}`,
    );

    // Only the models the endpoint reads (access_intervals answers, directory_names names the people):
    // the service's other projections are not what is measured.
    const buildStarted = performance.now();
    const read = [ACCESS_INTERVALS, DIRECTORY_NAMES].map((name) => {
      const projection = accessService.projections.find((candidate) => candidate.name === name);
      if (!projection) throw new Error(`the access service has no ${name} projection`);
      return projection;
    });
    runtime = await ServiceRuntime.start({ config, projections: read, env });
    const [runner, namesRunner] = runtime.runners;
    await new Promise<void>((resolve) => {
      let reported = performance.now();
      const check = (position: number) => {
        if (performance.now() - reported > 15_000) {
          reported = performance.now();
          console.log(`  … ${ACCESS_INTERVALS} at position ${position}/${head}, ${seconds((performance.now() - buildStarted) / 1000)}`);
        }
        if (position >= head) resolve();
      };
      runner.onProgress(check);
      check(runner.appliedPosition);
    });
    const buildSeconds = (performance.now() - buildStarted) / 1000;
    // directory_names reads the lab streams only, so its own position stops at the last lab event.
    while (!(await namesRunner.hasPassed(head))) await new Promise((resolve) => setTimeout(resolve, 100));
    const documents = await runtime.db.collection(runner.collection).find({}, { projection: { changes: 1 } }).toArray();
    const storedChars = documents.reduce((sum, document) => sum + (document.changes as string[]).reduce((chars, chunk) => chars + chunk.length, 0), 0);
    console.log(
      `  projection ${ACCESS_INTERVALS} built from position 0 in ${seconds(buildSeconds)} (${Math.round(history.events / buildSeconds).toLocaleString('en-US')} events/s, ` +
        `live consumer batches of 200): ${documents.length} documents, ${(storedChars / 1e6).toFixed(1)} MB of change points`,
    );

    const { host, stopParts } = createServiceHost(env);
    stopServiceParts = stopParts;
    app = await createServiceApp(await accessService.module(runtime, host), { name: 'access', logger: ['error'] });
    await app.listen(0, '127.0.0.1');
    const url = await app.getUrl();
    const token = await signDevToken({ username: 'bench-auditor', admin: true }, LOCAL_DEV_JWT_SECRET);
    const ask = async (project: string, at: number) => {
      const started = performance.now();
      const response = await fetch(`${url}/api/audit/access/at?project=${project}&at=${new Date(at).toISOString()}`, {
        headers: { authorization: `Bearer ${token}` },
      });
      const body = (await response.json()) as { people?: unknown[] };
      if (response.status !== 200) throw new Error(`GET /api/audit/access/at answered ${response.status}: ${JSON.stringify(body)}`);
      return { ms: performance.now() - started, people: body.people?.length ?? 0 };
    };
    await ask(history.projects[0], history.last); // warm-up: directory sighting, pointer cache, JIT
    const latencies: number[] = [];
    let people = 0;
    for (let query = 0; query < QUERIES; query += 1) {
      const answer = await ask(pick(history.projects), history.first + next() * (history.last - history.first));
      latencies.push(answer.ms);
      people += answer.people;
    }
    latencies.sort((a, b) => a - b);
    console.log(
      `  GET /api/audit/access/at, ${QUERIES} questions at random instants of random projects (${(people / QUERIES).toFixed(1)} people per answer): ` +
        `p50 ${percentile(latencies, 50).toFixed(1)} ms, p95 ${percentile(latencies, 95).toFixed(1)} ms, max ${latencies[latencies.length - 1].toFixed(1)} ms`,
    );
    console.log('  server: FerretDB v1.24.2 (SQLite), nats-server v2.15.2, one process, sequential requests');
  } finally {
    await app?.close();
    await stopServiceParts?.();
    await runtime?.close();
    await Promise.all([nats.stop(), ferret.stop()]);
  }
}

if (require.main === module) exitWith(run(process.argv[2] === undefined ? undefined : Number(process.argv[2])));
