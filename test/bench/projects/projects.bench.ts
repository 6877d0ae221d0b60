import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import request from 'supertest';
import { streamIdOf, type NewEvent, type StreamName } from '@cairn/contracts';
import type { EventStore } from '@cairn/event-store';
import { startServiceUnderTest, type ServiceUnderTest } from '@cairn/runtime';
import { startFerretDb, startNatsServer } from '@cairn/testing';
// Access events are made by the access service's own deciders (see the story's header).
import { AccessStory } from '@cairn/access-service';
import {
  AccessView,
  experimentDirectoryProjection,
  newProjectOf,
  PROJECT_DIRECTORY,
  projectDirectoryProjection,
  projectIdOf,
  projectsService,
} from '@cairn/projects-service';
import { figures, percentile, timed } from '../latencies';

/**
 * The projects service over HTTP (supertest, in process) on a real nats-server and FerretDB:
 * (a) the project list of a lab with 10,000 projects that the caller can all read (lab base level), first
 *     page and a name-prefix search: the authorization filter plus the anchored-prefix query;
 * (b) bulk-linking 1,000 experiments in one call (one commit) and bulk-removing them from a project private
 *     to its owner, where the removal computes the visibility check for all 1,000 (409 with the 49 lab
 *     members who would newly see each), then confirms.
 * Prints p50 and p95 latencies. Setup does not go through HTTP (that would measure setup, not these
 * calls): access events come from the access deciders and are appended to the store (the authorization
 * model replays them); the first project and the experiments are appended as events and projected; the
 * other 9,999 projects are written into the project directory as its projection writes them, because
 * projecting 20,000 events on FerretDB/SQLite under the load of this machine took longer than the
 * whole run may (the projection's own throughput is the read-models benchmark's subject). The service
 * runs only the read models these calls read.
 * (c) fresh state: what a command pays to decide on models that have everything the store held at its
 *     arrival (`FreshState.of`), against the raw JetStream requests it is made of, and as a share of a
 *     whole command (PATCH of a project: the guard's wait, the service's, load, decide, append).
 */

const LAB = 'bench';
const MEMBERS = 50;
const PROJECTS = Number(process.env.BENCH_PROJECTS ?? 10_000);
const EXPERIMENTS = 1_000;
const LIST_CALLS = Number(process.env.BENCH_LIST_CALLS ?? 20);
const LINK_ROUNDS = 8;
const IN_FLIGHT = 32;
const FRESH_CALLS = Number(process.env.BENCH_FRESH_CALLS ?? 200);
const AT_ONCE = 16;

const userId = (member: number) => `u-member-${member}`;

/** Appends every commit, `IN_FLIGHT` streams at a time, each stream's commits in order; answers the highest position. */
async function appendAll(store: EventStore, commits: { stream: StreamName; expectedVersion: number | 'no-stream'; events: NewEvent[] }[]): Promise<number> {
  const byStream = new Map<string, typeof commits>();
  for (const commit of commits) {
    const key = streamIdOf(commit.stream);
    byStream.set(key, [...(byStream.get(key) ?? []), commit]);
  }
  const queues = [...byStream.values()];
  let next = 0;
  let highest = 0;
  await Promise.all(
    Array.from({ length: IN_FLIGHT }, async () => {
      while (next < queues.length) {
        for (const commit of queues[next++]) {
          highest = Math.max(highest, (await store.append(commit.stream, commit.events, commit.expectedVersion)).position);
        }
      }
    }),
  );
  return highest;
}

export async function run(): Promise<void> {
  const [nats, ferret] = await Promise.all([startNatsServer(), startFerretDb()]);
  const dataDir = await mkdtemp(join(tmpdir(), 'cairn-bench-projects-'));
  process.env.CAIRN_TEST_MONGO_URL = ferret.url;
  let service: ServiceUnderTest | undefined;
  try {
    const measured = { ...projectsService, projections: [projectDirectoryProjection, experimentDirectoryProjection] };
    service = await startServiceUnderTest(measured, nats, { env: { CAIRN_DATA_DIR: dataDir } });
    const { store } = service.runtime;
    const owner = await service.token({ username: 'member-0' });
    const reader = await service.token({ username: 'member-1' });

    const story = new AccessStory().createLab(LAB, userId(0));
    for (let member = 1; member < MEMBERS; member++) story.addMember(LAB, userId(0), userId(member));
    const projectCommits: { stream: StreamName; expectedVersion: 'no-stream'; events: NewEvent[] }[] = [];
    const directoryDocuments: Record<string, unknown>[] = [];
    for (let index = 0; index < PROJECTS; index++) {
      const slug = `project-${String(index).padStart(5, '0')}`;
      const projectId = projectIdOf(LAB, slug);
      // The first project is private to its owner, so removing experiments from it shows them to the other 49 members.
      const baseLevel = index === 0 ? 'none' : 'viewer';
      const data = { projectId, lab: LAB, name: `Project ${index}`, description: '', slug, scheme: 'lab', baseLevel, createdBy: userId(0), actor: userId(0) };
      if (index === 0) {
        projectCommits.push({ stream: { context: 'projects', aggregate: 'project', id: projectId }, expectedVersion: 'no-stream', events: [{ type: 'projects.project.created.v1', data }] });
      } else {
        directoryDocuments.push({ _id: projectId, ...newProjectOf(data, new Date().toISOString()), _position: 1 });
      }
      story.createProject(projectId, LAB, 'lab', userId(0), baseLevel);
    }
    const experimentIds = Array.from({ length: EXPERIMENTS }, (_, index) => `experiment-${index}`);
    const experimentCommits = experimentIds.map((experimentId) => ({
      stream: { context: 'projects', aggregate: 'experiment', id: experimentId },
      expectedVersion: 'no-stream' as const,
      events: [{ type: 'projects.experiment.created.v1', data: { experimentId, lab: LAB, name: experimentId, description: '', actor: userId(0) } }],
    }));
    const setupStarted = performance.now();
    const position = Math.max(await appendAll(store, [...story.commits]), await appendAll(store, projectCommits), await appendAll(store, experimentCommits));
    const directory = await service.runtime.collections.resolve<{ _id: string }>(PROJECT_DIRECTORY);
    for (let index = 0; index < directoryDocuments.length; index += 1000) {
      await directory.insertMany(directoryDocuments.slice(index, index + 1000) as { _id: string }[]);
    }
    console.log(`setup: ${PROJECTS} projects, ${EXPERIMENTS} experiments, ${story.commits.length} access commits appended in ${((performance.now() - setupStarted) / 1000).toFixed(1)} s`);

    const server = service.server;
    const api = () => request(server);
    const caughtUp = performance.now();
    while (!(await Promise.all(service.runtime.runners.map((runner) => runner.hasPassed(position)))).every(Boolean)) {
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
    // The authorization model has taken in the last project's access once its reader may open it.
    const lastProject = projectIdOf(LAB, `project-${String(PROJECTS - 1).padStart(5, '0')}`);
    while ((await api().get(`/api/projects/${lastProject}/experiments`).set('authorization', `Bearer ${reader}`)).status !== 200) {
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
    console.log(`read models caught up in ${((performance.now() - caughtUp) / 1000).toFixed(1)} s`);

    const firstPage: number[] = [];
    const search: number[] = [];
    for (let call = 0; call < LIST_CALLS; call++) {
      const page = await timed(firstPage, () => api().get(`/api/projects?lab=${LAB}&limit=50`).set('authorization', `Bearer ${reader}`));
      if (page.status !== 200 || page.body.items.length !== 50) throw new Error(`list: ${page.status}`);
      const found = await timed(search, () => api().get(`/api/projects?lab=${LAB}&q=project-00${call % 3}&limit=50`).set('authorization', `Bearer ${reader}`));
      if (found.status !== 200 || found.body.items.length === 0) throw new Error(`search: ${found.status}`);
    }
    figures(`list ${PROJECTS} readable projects, first page of 50`, firstPage);
    figures(`list with a name prefix (q)`, search);

    const project = projectIdOf(LAB, 'project-00000');
    const link: number[] = [];
    const warn: number[] = [];
    const confirm: number[] = [];
    const absorb: number[] = [];
    const experimentDirectory = service.runtime.readModel(experimentDirectoryProjection.name);
    for (let round = 0; round < LINK_ROUNDS; round++) {
      const linked = await timed(link, () => api().post(`/api/projects/${project}/experiments`).set('authorization', `Bearer ${owner}`).send({ experimentIds }));
      if (linked.status !== 200 || linked.body.linked.length !== EXPERIMENTS) throw new Error(`link: ${linked.status} ${JSON.stringify(linked.body).slice(0, 300)}`);
      // The removal decides on experiment_directory with these links in it; on FerretDB taking in 1,000 can
      // outlast a command's bound (503, retry), so the wait is measured on its own and the check after it.
      const absorbed = await timed(absorb, () => experimentDirectory.waitForHead(60_000));
      if (!absorbed) throw new Error('experiment_directory did not take in the links within 60 s');
      const warned = await timed(warn, () => api().delete(`/api/projects/${project}/experiments`).set('authorization', `Bearer ${owner}`).send({ experimentIds }));
      if (warned.status !== 409 || warned.body.widening.length !== EXPERIMENTS) throw new Error(`unlink: ${warned.status} ${JSON.stringify(warned.body).slice(0, 300)}`);
      const removed = await timed(confirm, () =>
        api().delete(`/api/projects/${project}/experiments`).set('authorization', `Bearer ${owner}`).send({ experimentIds, confirmWidening: true }),
      );
      if (removed.status !== 200) throw new Error(`confirmed unlink: ${removed.status}`);
    }
    figures(`bulk link of ${EXPERIMENTS} experiments (one commit)`, link);
    figures(`experiment_directory taking in the link of ${EXPERIMENTS} (what the removal then waits for)`, absorb);
    figures(`bulk removal of ${EXPERIMENTS}: visibility check, 409 naming ${MEMBERS - 1} newly seeing each`, warn);
    figures('the same removal confirmed (check again, then one commit)', confirm);

    await measureFreshState(service, project, owner);
  } finally {
    await service?.close();
    await nats.stop();
    await ferret.stop();
    await rm(dataDir, { recursive: true, force: true });
  }
}

/**
 * (c): the barrier of a command when its models are up to date, while the log is idle and while other
 * contexts write between commands (then the probe has their events to step over), and when the
 * authorization model is behind by one event (then it waits for the projection as well).
 */
async function measureFreshState(service: ServiceUnderTest, project: string, owner: string): Promise<void> {
  const { runtime } = service;
  const access = service.app.get(AccessView);
  const directory = runtime.readModel(experimentDirectoryProjection.name);
  const jsm = await runtime.nc.jetstreamManager();
  const elsewhere = (index: number) =>
    runtime.store.append({ context: 'jobs', aggregate: 'job', id: `bench-${index}-${Date.now()}` }, [{ type: 'jobs.job.requested.v1', data: { projectId: project } }], 'no-stream');
  const accessChange = (index: number) =>
    runtime.store.append({ context: 'access', aggregate: 'lab', id: `bench-fresh-${index}-${Date.now()}` }, [{ type: 'access.lab.created.v1', data: { lab: `bench-fresh-${index}`, name: 'Bench', slug: `bench-fresh-${index}`, actor: userId(0) } }], 'no-stream');

  // The removals above leave experiment_directory with 1,000 unlinks to take in first.
  if (!(await directory.waitForHead(60_000))) throw new Error('experiment_directory did not catch up within 60 s');
  const streamInfo: number[] = [];
  const messageGet: number[] = [];
  const idle: number[] = [];
  const idleWithDirectory: number[] = [];
  const atOnce: number[] = [];
  const othersWriting: number[] = [];
  const behind: number[] = [];
  const command: number[] = [];
  for (let call = 0; call < FRESH_CALLS; call++) {
    await timed(streamInfo, () => jsm.streams.info('CAIRN_EVENTS'));
    await timed(messageGet, () => jsm.streams.getMessage('CAIRN_EVENTS', { seq: 1 }));
    // Untimed: the directory has taken in the previous PATCH, so the next two find both models up to date.
    await runtime.freshState.of(access, directory);
    await timed(idle, () => runtime.freshState.of(access));
    await timed(idleWithDirectory, () => runtime.freshState.of(access, directory));
    await timed(atOnce, () => Promise.all(Array.from({ length: AT_ONCE }, () => runtime.freshState.of(access))));
    await elsewhere(call);
    await timed(othersWriting, () => runtime.freshState.of(access));
    await accessChange(call);
    await timed(behind, () => runtime.freshState.of(access));
    const patched = await timed(command, () =>
      request(service.server).patch(`/api/projects/${project}`).set('authorization', `Bearer ${owner}`).send({ description: `call ${call}` }),
    );
    if (patched.status !== 200) throw new Error(`patch: ${patched.status} ${JSON.stringify(patched.body).slice(0, 300)}`);
  }
  const p50 = (samples: number[]) => percentile(samples, 50);
  figures('raw JetStream stream info (the head read)', streamInfo);
  figures('raw JetStream message get (one probe)', messageGet);
  figures('fresh state, authorization model, idle log', idle);
  figures('fresh state, authorization model + experiment_directory (unlink), idle log', idleWithDirectory);
  figures(`fresh state, authorization model, ${AT_ONCE} commands at once (all of them; they share the requests)`, atOnce);
  figures('fresh state, authorization model, another context wrote since the last command', othersWriting);
  figures('fresh state, authorization model one access event behind (waits for it)', behind);
  figures('PATCH /api/projects/:id (two waits: guard and service)', command);
  console.log(
    `fresh state p50 / raw stream info p50: ${(p50(othersWriting) / p50(streamInfo)).toFixed(2)} (others writing), ${(p50(idle) / p50(streamInfo)).toFixed(2)} (idle); ` +
      `two waits p50 / command p50: ${((2 * p50(othersWriting)) / p50(command)).toFixed(2)}`,
  );
}
