import { performance } from 'node:perf_hooks';
import type { AnyBulkWriteOperation, Document } from 'mongodb';
import request from 'supertest';
import type { JobRequestedData, Machine } from '@cairn/contracts';
import { DEFAULT_MAX_WRITES_PER_COMMAND, rebuildProjection, type RebuildProgress } from '@cairn/read-models';
import { startServiceUnderTest, type ServiceUnderTest } from '@cairn/runtime';
import { startFerretDb, startNatsServer, storedEvents } from '@cairn/testing';
import { AccessStory } from '@cairn/access-service';
import { JOB_SEARCH, JOB_SEARCH_INDEXES, jobSearchProjection, jobSearchQuery, jobsService } from '@cairn/jobs-service';
import { figures, timed } from '../latencies';

/**
 * `job_search` on FerretDB v1.24.2 (SQLite), which uses no secondary index: every figure here is a
 * scan of the whole collection, context for the design, never its production claim (the unit test of
 * the query shapes shows each has its MongoDB index).
 * (a) Search: p50/p95 of each documented filter over JOBS jobs in PROJECTS projects, through the jobs
 *     service's HTTP API (supertest, in process), against the raw driver's `find` of the same filter,
 *     sort and limit on the same collection. The documents are written as the projection writes them.
 * (b) Rebuild: job_search rebuilt from position 0 (requested, started, succeeded per job), against the
 *     raw driver's `bulkWrite` of the same final documents to the same server, into a collection with the
 *     same indexes.
 */

const JOBS = Number(process.env.BENCH_JOBS ?? 200_000);
const PROJECTS = 20;
const MEMBERS = 50;
/** A query scans the whole collection on FerretDB (about 30 s at 200,000 jobs here): few calls give the figures. */
const CALLS = Number(process.env.BENCH_SEARCH_CALLS ?? 3);
const REBUILD_JOBS = Number(process.env.BENCH_REBUILD_JOBS ?? 3_000);
const LAB = 'bench';
const TEMPLATES = ['Render Molecule', 'File Statistics', 'DIALS Integrate', 'Motion Correction', 'CTF Estimation', 'Particle Picking'];
const STYLES = ['ball-and-stick', 'cartoon', 'wireframe'];
const MACHINES: Machine[] = [
  { type: 'cpu', performance: 'standard' },
  { type: 'cpu', performance: 'turbo' },
  { type: 'gpu', performance: 'standard' },
  { type: 'gpu', performance: 'turbo' },
];
const STATUSES = ['succeeded', 'succeeded', 'succeeded', 'succeeded', 'succeeded', 'failed', 'running', 'queued'] as const;

const projectId = (index: number) => `project-${index}`;
const member = (index: number) => `member-${index}`;

function requestOf(index: number): JobRequestedData {
  const jobId = `job-${String(index).padStart(7, '0')}`;
  return {
    jobId,
    projectId: projectId(index % PROJECTS),
    template: { name: TEMPLATES[index % TEMPLATES.length], version: '1.0.0' },
    inputs: [{ fileId: `file-${index % 997}`, path: `raw/run-${index % 97}/frame.tif` }],
    parameters: { style: STYLES[index % STYLES.length], width: 400 + (index % 5) * 200 },
    machine: MACHINES[(index >> 3) % MACHINES.length],
    command: ['run', '{{inputs}}'],
    timeLimitSeconds: 600,
    outputFolder: `processed/${jobId}/`,
    triggeredBy: member(index % MEMBERS),
    rootJobId: jobId,
    actor: member(index % MEMBERS),
  };
}

/** The jobs as job_search holds them: the projection's own documents, each at its status. */
function searchDocuments(count: number): Document[] {
  const log = storedEvents({ firstTime: '2026-01-01T00:00:00.000Z' });
  return Array.from({ length: count }, (_, index) => {
    const [intent] = jobSearchProjection.handle([log.event('jobs.job.requested.v1', requestOf(index))]);
    if (intent.kind !== 'replace') throw new Error('a request replaces its document');
    // Spread over the jobs of each project, not across projects (job i is in project i mod PROJECTS).
    return { _id: intent.id, ...intent.document, status: STATUSES[Math.floor(index / PROJECTS) % STATUSES.length], _position: 1 };
  });
}

async function search(service: ServiceUnderTest, token: string): Promise<void> {
  const collection = await service.runtime.collections.resolve<{ _id: string }>(JOB_SEARCH);
  const setupStarted = performance.now();
  const documents = searchDocuments(JOBS);
  for (let index = 0; index < documents.length; index += 1000) await collection.insertMany(documents.slice(index, index + 1000) as { _id: string }[]);
  console.log(`setup: ${JOBS.toLocaleString('en-US')} jobs in ${PROJECTS} projects written in ${((performance.now() - setupStarted) / 1000).toFixed(1)} s`);

  const everyProject = Array.from({ length: PROJECTS }, (_, index) => projectId(index));
  // A twentieth of the whole span, in its middle.
  const from = String(documents[Math.floor(JOBS * 0.45)].createdAt);
  const to = String(documents[Math.floor(JOBS * 0.5)].createdAt);
  const cases: { label: string; path: string; filter: Parameters<typeof jobSearchQuery>[0] }[] = [
    { label: 'project', path: `/api/projects/${projectId(0)}/jobs`, filter: { projectIds: [projectId(0)] } },
    { label: 'project + triggerer', path: `/api/projects/${projectId(0)}/jobs?triggeredBy=${member(20)}`, filter: { projectIds: [projectId(0)], triggeredBy: member(20) } },
    { label: 'project + template prefix', path: `/api/projects/${projectId(0)}/jobs?template=render`, filter: { projectIds: [projectId(0)], templatePrefix: 'render' } },
    { label: 'project + status', path: `/api/projects/${projectId(0)}/jobs?status=failed`, filter: { projectIds: [projectId(0)], status: ['failed'] } },
    { label: 'project + machine', path: `/api/projects/${projectId(0)}/jobs?machine=gpu/turbo`, filter: { projectIds: [projectId(0)], machine: ['gpu/turbo'] } },
    { label: 'project + time range', path: `/api/projects/${projectId(0)}/jobs?from=${from}&to=${to}`, filter: { projectIds: [projectId(0)], from, to } },
    { label: 'project + text', path: `/api/projects/${projectId(0)}/jobs?q=cartoon`, filter: { projectIds: [projectId(0)], words: ['cartoon'] } },
    { label: `all ${PROJECTS} readable projects`, path: '/api/jobs', filter: { projectIds: everyProject } },
    { label: 'all projects + triggerer', path: `/api/jobs?triggeredBy=${member(20)}`, filter: { projectIds: everyProject, triggeredBy: member(20) } },
  ];
  console.log(`search over ${JOBS.toLocaleString('en-US')} jobs on FerretDB v1.24.2 (SQLite, no secondary index: each query scans the collection); first page of 50`);
  for (const { label, path, filter } of cases) {
    const api: number[] = [];
    const raw: number[] = [];
    const query = jobSearchQuery(filter);
    for (let call = 0; call < CALLS; call++) {
      const page = await timed(api, () => request(service.server).get(path).set('authorization', `Bearer ${token}`));
      if (page.status !== 200 || page.body.items.length === 0) throw new Error(`${label}: ${page.status} ${JSON.stringify(page.body).slice(0, 200)}`);
      await timed(raw, () => collection.find(query.filter as Document).sort(query.sort).limit(51).toArray());
    }
    figures(`  ${label.padEnd(30)} API`, api, raw);
  }
}

async function rebuild(service: ServiceUnderTest): Promise<void> {
  const { store, nc, db } = service.runtime;
  const log = storedEvents({ firstTime: '2026-01-01T00:00:00.000Z' });
  const finals: Document[] = [];
  const started = performance.now();
  let next = 0;
  await Promise.all(
    Array.from({ length: 32 }, async () => {
      while (next < REBUILD_JOBS) {
        const data = requestOf(JOBS + next++);
        const { jobId, projectId: project } = data;
        await store.append({ context: 'jobs', aggregate: 'job', id: jobId }, [
          { type: 'jobs.job.requested.v1', data },
          { type: 'jobs.job.started.v1', data: { jobId, projectId: project, runnerId: 'runner-1' } },
          { type: 'jobs.job.succeeded.v1', data: { jobId, projectId: project, runnerId: 'runner-1', exitCode: 0 } },
        ], 'no-stream');
        const [intent] = jobSearchProjection.handle([log.event('jobs.job.requested.v1', data)]);
        if (intent.kind === 'replace') finals.push({ _id: intent.id, ...intent.document, status: 'succeeded', runnerId: 'runner-1' });
      }
    }),
  );
  console.log(`rebuild setup: ${REBUILD_JOBS.toLocaleString('en-US')} jobs (${(REBUILD_JOBS * 3).toLocaleString('en-US')} events) appended in ${((performance.now() - started) / 1000).toFixed(1)} s`);

  let last: RebuildProgress | undefined;
  const rebuildStarted = performance.now();
  await rebuildProjection({ nc, db, projection: jobSearchProjection, onProgress: (progress) => (last = progress), dropOldAfterMs: 0 });
  const rebuildSeconds = (performance.now() - rebuildStarted) / 1000;
  // The events of every job appended so far are replayed: the search documents of (a) were never events.
  const events = last?.events ?? REBUILD_JOBS * 3;

  // The same indexes as the model's collection: each write keeps them up to date on either side.
  const bare = db.collection('bare_job_search');
  await bare.createIndexes(JOB_SEARCH_INDEXES);
  const bareStarted = performance.now();
  const operations: AnyBulkWriteOperation<Document>[] = finals.map((document) => ({ replaceOne: { filter: { _id: document._id }, replacement: document, upsert: true } }));
  for (let start = 0; start < operations.length; start += DEFAULT_MAX_WRITES_PER_COMMAND) {
    await bare.bulkWrite(operations.slice(start, start + DEFAULT_MAX_WRITES_PER_COMMAND), { ordered: true });
  }
  const bareSeconds = (performance.now() - bareStarted) / 1000;
  const rebuiltJobs = events / 3 / rebuildSeconds;
  const bareJobs = finals.length / bareSeconds;
  console.log(`job_search rebuilt from position 0 on FerretDB v1.24.2 (SQLite): ${events.toLocaleString('en-US')} events of ${REBUILD_JOBS.toLocaleString('en-US')} jobs`);
  console.log(`  rebuild (replay, guarded writes, swap)      ${Math.round(events / rebuildSeconds).toLocaleString('en-US')} events/s = ${Math.round(rebuiltJobs).toLocaleString('en-US')} jobs/s`);
  console.log(`  raw bulkWrite of the final documents        ${Math.round(bareJobs).toLocaleString('en-US')} documents/s (${DEFAULT_MAX_WRITES_PER_COMMAND} per command)`);
  console.log(`  ratio (rebuilt jobs / raw documents)        ${(rebuiltJobs / bareJobs).toFixed(2)}`);
}

export async function run(): Promise<void> {
  const [nats, ferret] = await Promise.all([startNatsServer(), startFerretDb()]);
  process.env.CAIRN_TEST_MONGO_URL = ferret.url;
  let service: ServiceUnderTest | undefined;
  try {
    service = await startServiceUnderTest({ ...jobsService, projections: [jobSearchProjection], reactors: [] }, nats);
    const story = new AccessStory().createLab(LAB, member(0));
    for (let index = 1; index < MEMBERS; index++) story.addMember(LAB, member(0), member(index));
    for (let index = 0; index < PROJECTS; index++) story.createProject(projectId(index), LAB, 'lab', member(0), 'viewer');
    for (const commit of story.commits) await service.runtime.store.append(commit.stream, commit.events, commit.expectedVersion);
    const token = await service.token({ username: member(1), sub: member(1) });
    // The authorization model has every project once the reader may search the last one.
    while ((await request(service.server).get(`/api/projects/${projectId(PROJECTS - 1)}/jobs`).set('authorization', `Bearer ${token}`)).status !== 200) {
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    // The rebuild first: on FerretDB the 200,000 search documents in the same database slow every write after them.
    await rebuild(service);
    await search(service, token);
  } finally {
    await service?.close();
    await nats.stop();
    await ferret.stop();
  }
}
