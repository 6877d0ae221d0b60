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
  experimentDirectoryProjection,
  newProjectOf,
  PROJECT_DIRECTORY,
  projectDirectoryProjection,
  projectIdOf,
  projectsService,
} from '@cairn/projects-service';
import { figures, timed } from '../latencies';

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
 */

const LAB = 'bench';
const MEMBERS = 50;
const PROJECTS = Number(process.env.BENCH_PROJECTS ?? 10_000);
const EXPERIMENTS = 1_000;
const LIST_CALLS = Number(process.env.BENCH_LIST_CALLS ?? 20);
const LINK_ROUNDS = 8;
const IN_FLIGHT = 32;

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
        const at = new Date().toISOString();
        directoryDocuments.push({ _id: projectId, ...newProjectOf(data), nameLower: data.name.toLowerCase(), createdAt: at, updatedAt: at, _position: 1 });
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
    for (let round = 0; round < LINK_ROUNDS; round++) {
      const linked = await timed(link, () => api().post(`/api/projects/${project}/experiments`).set('authorization', `Bearer ${owner}`).send({ experimentIds }));
      if (linked.status !== 200 || linked.body.linked.length !== EXPERIMENTS) throw new Error(`link: ${linked.status} ${JSON.stringify(linked.body).slice(0, 300)}`);
      // No Cairn-Min-Position: the check counts the project being left whether or not the read model has the links yet.
      const warned = await timed(warn, () => api().delete(`/api/projects/${project}/experiments`).set('authorization', `Bearer ${owner}`).send({ experimentIds }));
      if (warned.status !== 409 || warned.body.widening.length !== EXPERIMENTS) throw new Error(`unlink: ${warned.status} ${JSON.stringify(warned.body).slice(0, 300)}`);
      const removed = await timed(confirm, () =>
        api().delete(`/api/projects/${project}/experiments`).set('authorization', `Bearer ${owner}`).send({ experimentIds, confirmWidening: true }),
      );
      if (removed.status !== 200) throw new Error(`confirmed unlink: ${removed.status}`);
    }
    figures(`bulk link of ${EXPERIMENTS} experiments (one commit)`, link);
    figures(`bulk removal of ${EXPERIMENTS}: visibility check, 409 naming ${MEMBERS - 1} newly seeing each`, warn);
    figures('the same removal confirmed (check again, then one commit)', confirm);
  } finally {
    await service?.close();
    await nats.stop();
    await ferret.stop();
    await rm(dataDir, { recursive: true, force: true });
  }
}
