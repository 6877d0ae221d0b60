import { execFile } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { LOCAL_DEV_JWT_SECRET, signDevToken } from '@cairn/auth';
import { demoTemplatesDir, dialsUnavailableReason } from '@cairn/testing';
import { applyTemplates } from './templates';
import { natsEnvOf, PLATFORM_FILE, platformHome, REPO, startedPlatform, type PlatformAddress } from './platform';
import type { ServiceName } from './routes';

/**
 * `npm run demo`: both guides walked through the API of a running platform (`npm start`'s, by default),
 * by several people, each step checked. It ends with an auditor's replay of the access history and a
 * summary table, and exits 1 if any step failed. Steps that need a service that is not running (jobs,
 * logbook) are skipped, and the summary says so.
 */

function platformAddress(env: NodeJS.ProcessEnv): PlatformAddress {
  const home = platformHome(env);
  const started = startedPlatform(home);
  const edgeUrl = env.CAIRN_URL ?? started.edgeUrl;
  const natsUrl = env.NATS_URL ?? started.natsUrl;
  const mongoUrl = env.MONGO_URL ?? started.mongoUrl;
  if (!edgeUrl || !natsUrl || !mongoUrl) {
    throw new Error(`no running platform found: start one with \`npm start\` (it writes ${join(home, PLATFORM_FILE)}), or set CAIRN_URL, NATS_URL and MONGO_URL`);
  }
  const natsCredentialsDir = env.CAIRN_NATS_CREDENTIALS_DIR ?? started.natsCredentialsDir;
  return { edgeUrl, natsUrl, mongoUrl, ...(natsCredentialsDir ? { natsCredentialsDir } : {}) };
}

class StepFailed extends Error {}

/** The molecule the guide's render step draws (Render Molecule reads XYZ). */
const WATER_XYZ = '3\nwater\nO 0.000 0.000 0.117\nH 0.000 0.757 -0.467\nH 0.000 -0.757 -0.467\n';

function check(condition: boolean, message: string): void {
  if (!condition) throw new StepFailed(message);
}

/** What `probe` finds once it finds something; the step fails after `timeoutMs` waiting for `what`. */
async function until<T>(what: string, timeoutMs: number, probe: () => Promise<T | undefined>): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const found = await probe();
    if (found !== undefined) return found;
    check(Date.now() < deadline, `waited ${timeoutMs / 1000} s for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

interface Answer {
  status: number;
  // The API's JSON, read by each step for the fields it checks.
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  body: any;
}

/** One person at the API, as a browser session would be: every call waits for the writes seen so far. */
class Person {
  private token?: string;

  constructor(
    readonly username: string,
    private readonly session: Session,
    private readonly admin = false,
  ) {}

  async bearer(): Promise<string> {
    this.token ??= await signDevToken({ username: this.username, admin: this.admin, email: `${this.username}@example.org`, name: this.username }, this.session.secret);
    return this.token;
  }

  async call(method: string, path: string, body?: object | FormData): Promise<Answer> {
    const headers: Record<string, string> = {
      authorization: `Bearer ${await this.bearer()}`,
      'Cairn-Min-Position': String(this.session.position),
      'X-Request-Id': `demo-${this.session.run}-${++this.session.requests}`,
    };
    if (body && !(body instanceof FormData)) headers['content-type'] = 'application/json';
    const response = await fetch(`${this.session.address.edgeUrl}${path}`, {
      method,
      headers,
      ...(body ? { body: body instanceof FormData ? body : JSON.stringify(body) } : {}),
    });
    const position = Number(response.headers.get('cairn-position'));
    if (Number.isSafeInteger(position)) this.session.position = Math.max(this.session.position, position);
    const text = await response.text();
    return { status: response.status, body: text && /json/.test(response.headers.get('content-type') ?? '') ? JSON.parse(text) : text };
  }

  /** A call that must answer `status`; the step fails naming what came instead. */
  async expect(status: number, method: string, path: string, body?: object | FormData): Promise<Answer> {
    const answer = await this.call(method, path, body);
    check(answer.status === status, `${this.username}: ${method} ${path} answered ${answer.status}, not ${status}: ${JSON.stringify(answer.body)}`);
    return answer;
  }

  get = (path: string, status = 200) => this.expect(status, 'GET', path);
  post = (path: string, body: object | FormData, status = 201) => this.expect(status, 'POST', path, body);
  put = (path: string, body: object, status = 200) => this.expect(status, 'PUT', path, body);
  delete = (path: string, body: object, status = 200) => this.expect(status, 'DELETE', path, body);
}

class Session {
  position = 0;
  requests = 0;
  readonly run = Date.now().toString(36);

  constructor(
    readonly address: PlatformAddress,
    readonly secret: string,
  ) {}
}

interface Step {
  guide: 'facility' | 'lab' | 'audit';
  title: string;
  /** Services the step needs beyond access and projects. */
  needs?: ServiceName[];
  /** Why the step cannot run on this machine (a program the runner lacks), or undefined when it can. */
  unavailable?: () => string | undefined;
  run(): Promise<string>;
}

type Outcome = { step: Step; result: 'passed' | 'failed' | 'skipped' | 'not run'; detail: string };

const roleOf = async (person: Person, project: string) => (await person.get(`/api/projects/${project}/access/me`)).body as { role: string; capabilities: string[] };

/** The steps of both guides, in order; each builds on the ones before it. */
function guideSteps(session: Session, cli: (args: string[]) => Promise<string>): Step[] {
  const person = (username: string, admin = false) => new Person(username, session, admin);
  const alice = person('alice', true);
  const [paula, mark, mia, victor, leo, nora] = ['paula', 'mark', 'mia', 'victor', 'leo', 'nora'].map((name) => person(name));
  const lab = `demo-${session.run}`;
  const state = { facility: '', labProject: '', rawFile: '', molecule: '', render: '', rerun: '', experiments: [] as string[] };
  const CPU = { type: 'cpu', performance: 'standard' };
  const GPU_TURBO = { type: 'gpu', performance: 'turbo' };
  /** A job as its page shows it, once it has ended (a runner must be running to get it there). */
  const ended = (jobId: string, withinMs = 60_000) =>
    until(`job ${jobId} to end (is a runner running?)`, withinMs, async () => {
      const job = (await victor.get(`/api/jobs/${jobId}`)).body;
      return ['succeeded', 'failed', 'cancelled'].includes(job.status) ? job : undefined;
    });

  return [
    {
      guide: 'facility',
      title: 'alice (facility admin) creates a lab and adds its people',
      run: async () => {
        // Everyone signs in once, so that the lab directory knows them by username.
        for (const someone of [paula, mark, mia, victor, leo, nora]) await someone.call('GET', `/api/users?lab=${lab}`);
        await alice.post('/api/labs', { name: `Demo lab ${session.run}`, slug: lab });
        for (const someone of [paula, mark, mia, victor, leo, nora]) await alice.post(`/api/labs/${lab}/members`, { user: someone.username });
        return `lab ${lab}: paula, mark, mia, victor, leo, nora`;
      },
    },
    {
      guide: 'facility',
      title: 'paula creates a facility project and becomes its owner',
      run: async () => {
        const created = await paula.post('/api/projects', { lab, name: 'Lysozyme 2026', description: 'Lysozyme crystals, beamtime 2026-03', scheme: 'facility' });
        state.facility = created.body.id;
        check((await roleOf(paula, state.facility)).role === 'owner', 'paula is not the owner of her project');
        return `project ${created.body.slug} (${state.facility})`;
      },
    },
    {
      guide: 'facility',
      title: 'Step 1: paula shares it with mark (manager), mia (member) and victor (viewer)',
      run: async () => {
        for (const [someone, role] of [[mark, 'manager'], [mia, 'member'], [victor, 'viewer']] as const) {
          await paula.put(`/api/projects/${state.facility}/access/users/${someone.username}`, { role, reason: 'demo: the team' });
        }
        const page = (await paula.get(`/api/projects/${state.facility}/access`)).body;
        return `explicit: ${page.explicit.map((grant: { user: string; role: string }) => `${grant.user}=${grant.role}`).join(', ')}`;
      },
    },
    {
      guide: 'facility',
      title: 'a member adds viewers, never managers',
      run: async () => {
        await mia.put(`/api/projects/${state.facility}/access/users/leo`, { role: 'viewer', reason: 'visiting scientist' });
        const refused = await mia.call('PUT', `/api/projects/${state.facility}/access/users/nora`, { role: 'manager' });
        check(refused.status === 403, `mia granted manager: ${refused.status}`);
        return `leo is a viewer; mia's manager grant: 403 ${refused.body.rule}`;
      },
    },
    {
      guide: 'facility',
      title: 'each role can do what the guide says, and no more',
      run: async () => {
        const expected: [Person, string, string[], string[]][] = [
          [victor, 'viewer', ['project.read'], ['files.upload', 'jobs.run']],
          [mia, 'member', ['files.upload', 'jobs.run', 'logbook.write', 'comments.write', 'deletion.request.processed'], ['deletion.request.raw', 'datasets.link']],
          [mark, 'manager', ['deletion.request.raw', 'deletion.approve.processed', 'datasets.link'], ['deletion.approve.raw', 'project.delete']],
          [paula, 'owner', ['deletion.approve.raw', 'project.update', 'project.delete'], []],
        ];
        for (const [someone, role, can, cannot] of expected) {
          const mine = await roleOf(someone, state.facility);
          check(mine.role === role, `${someone.username} is ${mine.role}, not ${role}`);
          for (const capability of can) check(mine.capabilities.includes(capability), `${someone.username} (${role}) lacks ${capability}`);
          for (const capability of cannot) check(!mine.capabilities.includes(capability), `${someone.username} (${role}) has ${capability}`);
        }
        return 'viewer < member < manager < owner, capability by capability';
      },
    },
    {
      guide: 'facility',
      title: 'mia uploads raw data; victor browses it but may not upload',
      run: async () => {
        const upload = (who: Person, status: number) => {
          const form = new FormData();
          form.append('path', 'raw/lysozyme-001.cbf');
          form.append('file', new Blob(['demo diffraction image']), 'lysozyme-001.cbf');
          return who.post(`/api/projects/${state.facility}/files`, form, status);
        };
        state.rawFile = (await upload(mia, 201)).body.id;
        await upload(victor, 403);
        const molecule = new FormData();
        molecule.append('path', 'raw/water.xyz');
        molecule.append('file', new Blob([WATER_XYZ]), 'water.xyz');
        state.molecule = (await mia.post(`/api/projects/${state.facility}/files`, molecule)).body.id;
        const files = (await victor.get(`/api/projects/${state.facility}/files?folder=raw`)).body.items as { path: string }[];
        check(files.some((file) => file.path === 'raw/lysozyme-001.cbf'), 'victor does not see the upload');
        return `raw/lysozyme-001.cbf and raw/water.xyz; victor's upload: 403`;
      },
    },
    {
      guide: 'facility',
      title: 'Step 2: mia renders the molecule; victor finds the job by triggerer and by template',
      needs: ['jobs'],
      run: async () => {
        await applyTemplates({ dir: demoTemplatesDir(), apiUrl: session.address.edgeUrl, token: await alice.bearer(), log: () => undefined });
        const run = (await mia.post(`/api/projects/${state.facility}/jobs`, { template: 'Render Molecule', inputs: [state.molecule], parameters: { view: 'front' }, machine: CPU })).body;
        state.render = run.id;
        const job = await ended(state.render);
        check(job.status === 'succeeded', `the render ${job.status}: ${JSON.stringify(job.failure ?? {})}`);
        const byTriggerer = (await victor.get(`/api/projects/${state.facility}/jobs?triggeredBy=mia`)).body.items as { id: string }[];
        const byTemplate = (await victor.get(`/api/projects/${state.facility}/jobs?template=render`)).body.items as { id: string }[];
        check(byTriggerer.some((found) => found.id === state.render) && byTemplate.some((found) => found.id === state.render), 'the search does not find the job');
        const refused = await victor.call('POST', `/api/projects/${state.facility}/jobs`, { template: 'Render Molecule', inputs: [state.molecule], machine: CPU });
        check(refused.status === 403, `victor ran a job: ${refused.status}`);
        return `job ${state.render} (${job.template}) succeeded; victor's run: 403 ${refused.body.rule}`;
      },
    },
    {
      guide: 'facility',
      title: "Step 3: victor reviews it: inputs, parameters, machine, logs and the output in the job's folder",
      needs: ['jobs'],
      run: async () => {
        const job = (await victor.get(`/api/jobs/${state.render}`)).body;
        const outputs = job.outputs as { path: string }[];
        check(outputs.length > 0 && outputs.every((file) => file.path.startsWith(job.outputFolder)), `outputs outside ${job.outputFolder}: ${JSON.stringify(outputs)}`);
        const logs = (await victor.get(`/api/jobs/${state.render}/logs`)).body;
        // Option B of the guide: the same outputs, found from the project's file space.
        const folder = String(job.outputFolder).replace(/\/$/, '');
        // The runner's uploads are writes this session has not seen: the listing may take a moment to show them.
        const processed = await until(`the folder ${folder} to list the outputs`, 10_000, async () => {
          const listed = (await victor.get(`/api/projects/${state.facility}/files?folder=${encodeURIComponent(folder)}`)).body.items as { path: string }[];
          return outputs.every((file) => listed.some((entry) => entry.path === file.path)) ? listed : undefined;
        });
        return `parameters ${JSON.stringify(job.parameters)} on ${job.machine.type}/${job.machine.performance}; ${logs.items.length} log chunk(s); ${processed.map((file) => file.path).join(', ')}`;
      },
    },
    {
      guide: 'facility',
      title: 'Step 4: mark reruns it with all three views on a GPU turbo machine: a new job, his, in a new folder',
      needs: ['jobs'],
      run: async () => {
        // The step-by-step flow: inputs still there and of an accepted type, parameters against their defaults.
        const form = (await mark.get(`/api/jobs/${state.render}/rerun-form`)).body;
        const inputs = form.inputs as { present: boolean; acceptedType: boolean }[];
        check(inputs.every((input) => input.present && input.acceptedType), `the rerun form finds inputs wanting: ${JSON.stringify(inputs)}`);
        const rerun = (await mark.post(`/api/jobs/${state.render}/rerun`, { parameters: { view: 'all', style: 'ball-and-stick' }, machine: GPU_TURBO })).body;
        state.rerun = rerun.id;
        const job = await ended(state.rerun);
        check(job.status === 'succeeded' && job.rerunOf === state.render && job.triggeredBy.username === 'mark', `the rerun: ${JSON.stringify(job)}`);
        const diff = (await mark.get(`/api/jobs/${state.rerun}/diff?against=${state.render}`)).body;
        return `rerun ${state.rerun} of ${state.render} in ${job.outputFolder}; changes: ${JSON.stringify(diff.changes)}`;
      },
    },
    {
      guide: 'facility',
      title: 'mia processes a diffraction sweep with DIALS: dials.import, then dials.find_spots; the .expt, the .refl and the DIALS logs land in the job\'s folder',
      needs: ['jobs'],
      unavailable: dialsUnavailableReason,
      run: async () => {
        const sweep = join(REPO, 'services/runner/samples/diffraction');
        const frames: string[] = [];
        for (const name of readdirSync(sweep).filter((file) => file.endsWith('.cbf')).sort()) {
          const form = new FormData();
          form.append('path', `raw/sweep-1/${name}`);
          form.append('file', new Blob([readFileSync(join(sweep, name))]), name);
          frames.push((await mia.post(`/api/projects/${state.facility}/files`, form)).body.id);
        }
        const run = (await mia.post(`/api/projects/${state.facility}/jobs`, { template: 'DIALS', inputs: frames, machine: CPU })).body;
        // DIALS takes seconds to start (Python, cctbx) and tens of seconds on a loaded machine.
        const job = await ended(run.id, 180_000);
        check(job.status === 'succeeded', `DIALS ${job.status}: ${JSON.stringify(job.failure ?? {})}`);
        const outputs = (job.outputs as { path: string }[]).map((file) => file.path.slice(String(job.outputFolder).length)).sort();
        check(['dials.find_spots.log', 'dials.import.log', 'imported.expt', 'strong.refl'].every((name) => outputs.includes(name)), `DIALS wrote ${outputs.join(', ')}`);
        return `job ${run.id} on ${frames.length} CBF frames: ${outputs.join(', ')} in ${job.outputFolder}`;
      },
    },
    {
      guide: 'facility',
      title: 'Step 5: mia starts the logbook from the suggested template and revises it; victor reads it but may not write',
      needs: ['logbook'],
      run: async () => {
        const logbook = `/api/projects/${state.facility}/logbook`;
        const entry = (await mia.post(`${logbook}/entries`, { title: 'Lysozyme: plan', fromTemplate: true })).body;
        check(String(entry.body).includes('## Goal / Dataset'), `the entry is not the template: ${JSON.stringify(entry.body)}`);
        await mia.put(`${logbook}/entries/${entry.id}`, { body: `${entry.body}\nNext: rerun on GPU.`, expectedVersion: entry.version });
        const revisions = (await victor.get(`${logbook}/entries/${entry.id}/revisions`)).body.items as unknown[];
        const refused = await victor.call('POST', `${logbook}/entries`, { title: 'Mine', body: 'text' });
        check(refused.status === 403, `victor wrote in the logbook: ${refused.status}`);
        return `entry "${entry.title}": ${revisions.length} revisions; victor's entry: 403 ${refused.body.rule}`;
      },
    },
    {
      guide: 'facility',
      title: 'Step 5: mia records the rerun as the latest best job; comments go on it, not from a viewer',
      needs: ['jobs', 'logbook'],
      run: async () => {
        const best = (await mia.put(`/api/projects/${state.facility}/logbook/best-jobs`, { jobIds: [state.rerun], reason: 'Best output: view=all' })).body;
        check(best.jobs?.[0]?.jobId === state.rerun, `best jobs: ${JSON.stringify(best)}`);
        const comment = (await mia.post(`/api/jobs/${state.rerun}/comments`, { body: 'This run used GPU for the render, @mark' })).body;
        const refused = await victor.call('POST', `/api/jobs/${state.rerun}/comments`, { body: 'nice' });
        check(refused.status === 403, `victor commented: ${refused.status}`);
        return `best job ${state.rerun}; comment mentions ${(comment.mentions as { username: string }[]).map((mention) => mention.username).join(', ')}; victor's comment: 403`;
      },
    },
    {
      guide: 'facility',
      title: 'four eyes: mark asks to delete raw data, may not approve his own request, paula approves',
      run: async () => {
        const request = (await mark.post(`/api/projects/${state.facility}/deletion-requests`, { fileIds: [state.rawFile], reason: 'wrong crystal' })).body;
        const own = await mark.call('POST', `/api/deletion-requests/${request.id}/approve`, {});
        check(own.status === 403, `mark approved his own request: ${own.status}`);
        await paula.post(`/api/deletion-requests/${request.id}/approve`, {}, 200);
        const left = (await paula.get(`/api/projects/${state.facility}/files?folder=raw`)).body.items as { id: string }[];
        check(!left.some((file) => file.id === state.rawFile), 'the file is still listed');
        return `request ${request.id}: mark's own approval 403 ${own.body.rule}; approved by paula`;
      },
    },
    {
      guide: 'facility',
      title: 'ownership transfer: paula hands the project to mark and stays as manager',
      run: async () => {
        await paula.post(`/api/projects/${state.facility}/access/transfer-ownership`, { to: 'mark' }, 200);
        check((await roleOf(mark, state.facility)).role === 'owner', 'mark is not the owner');
        check((await roleOf(paula, state.facility)).role === 'manager', 'paula is not a manager');
        return 'owner: mark; paula: manager';
      },
    },
    {
      guide: 'lab',
      title: 'paula creates a lab project with base level viewer: every lab member can see it',
      run: async () => {
        const created = await paula.post('/api/projects', { lab, name: 'Crystal growth', scheme: 'lab', baseLevel: 'viewer' });
        state.labProject = created.body.id;
        check((await roleOf(nora, state.labProject)).role === 'viewer', 'nora does not see the project through the base level');
        return `project ${created.body.slug} (${state.labProject})`;
      },
    },
    {
      guide: 'lab',
      title: 'the users page: explicit permissions first, then lab members through the base level',
      run: async () => {
        await paula.put(`/api/projects/${state.labProject}/access/users/mark`, { role: 'experimenter' });
        await paula.put(`/api/projects/${state.labProject}/access/users/mia`, { role: 'commenter' });
        const own = await paula.call('DELETE', `/api/projects/${state.labProject}/access/users/paula`, {});
        check(own.status >= 400, 'paula removed her own permission');
        const page = (await paula.get(`/api/projects/${state.labProject}/access`)).body;
        const explicit = page.explicit.map((grant: { user: string; role: string }) => `${grant.user}=${grant.role}`);
        const viaBase = page.viaBaseLevel.map((entry: { user: string; role: string }) => entry.user);
        check(viaBase.length > 0, 'nobody has access through the base level');
        return `explicit: ${explicit.join(', ')}; via base level (${page.baseLevel}): ${viaBase.join(', ')}; removing her own: ${own.status}`;
      },
    },
    {
      guide: 'lab',
      title: 'the experiment manager: mark creates experiments and adds them in bulk',
      run: async () => {
        for (const name of ['Hanging drop 1', 'Hanging drop 2']) {
          state.experiments.push((await mark.post(`/api/labs/${lab}/experiments`, { name })).body.id);
        }
        const found = (await mark.get(`/api/labs/${lab}/experiments?q=hanging`)).body.items as { id: string }[];
        check(state.experiments.every((id) => found.some((experiment) => experiment.id === id)), 'the filter does not find the experiments');
        await mark.post(`/api/projects/${state.labProject}/experiments`, { experimentIds: state.experiments }, 200);
        const page = (await nora.get(`/api/projects/${state.labProject}/experiments?page=1&pageSize=10`)).body;
        return `${state.experiments.length} experiments in the project; nora sees ${page.items.length}`;
      },
    },
    {
      guide: 'lab',
      title: 'mia (commenter) comments on an experiment mentioning @mark; nora (viewer through the base level) may not',
      needs: ['logbook'],
      run: async () => {
        const experiment = state.experiments[1];
        const comment = (await mia.post(`/api/experiments/${experiment}/comments`, { body: 'Drop 2 grew overnight, @mark: worth a beamtime slot?' })).body;
        const mentioned = (comment.mentions as { username: string }[]).map((mention) => mention.username);
        check(mentioned.includes('mark'), `the mention was not resolved: ${JSON.stringify(comment)}`);
        const refused = await nora.call('POST', `/api/experiments/${experiment}/comments`, { body: 'me too' });
        check(refused.status === 403, `nora commented: ${refused.status}`);
        return `comment mentions ${mentioned.join(', ')}; nora's comment: 403 ${refused.body.rule}`;
      },
    },
    {
      guide: 'lab',
      title: 'removing an experiment that would become visible to more people warns first',
      run: async () => {
        await paula.put(`/api/projects/${state.labProject}/access/base-level`, { level: 'none' });
        const [experiment] = state.experiments;
        const warned = await paula.call('DELETE', `/api/projects/${state.labProject}/experiments`, { experimentIds: [experiment] });
        check(warned.status === 409, `no widening warning: ${warned.status}`);
        const newly = warned.body.widening?.[0]?.newlyVisibleTo as string[] | undefined;
        check(Array.isArray(newly) && newly.length > 0, `the warning names nobody: ${JSON.stringify(warned.body)}`);
        await paula.delete(`/api/projects/${state.labProject}/experiments`, { experimentIds: [experiment], confirmWidening: true });
        return `base level none; warning: newly visible to ${newly!.join(', ')}; removed once confirmed`;
      },
    },
    {
      guide: 'audit',
      title: "an auditor replays both projects' access history from the event store",
      run: async () => {
        const replays = [];
        for (const project of [state.facility, state.labProject]) replays.push(await cli(['audit', 'replay', '--project', project]));
        return replays.map((output) => output.trim().split('\n').slice(-1)[0]).join(' / ');
      },
    },
  ];
}

async function runningServices(session: Session): Promise<Set<string>> {
  const ready = await fetch(`${session.address.edgeUrl}/health/ready`).catch((error: Error) => {
    throw new Error(`the platform at ${session.address.edgeUrl} does not answer (${error.message}): is \`npm start\` running?`);
  });
  const body = (await ready.json()) as { services?: Record<string, string> };
  return new Set(Object.entries(body.services ?? {}).filter(([, readiness]) => readiness === 'ready').map(([name]) => name));
}

function table(outcomes: Outcome[]): string[] {
  const rows = outcomes.map(({ step, result, detail }, index) => [String(index + 1), step.guide, result, step.title, detail]);
  const header = ['#', 'guide', 'result', 'step', 'what happened'];
  const widths = header.map((title, column) => Math.min(column === 4 ? 80 : 100, Math.max(title.length, ...rows.map((row) => row[column].length))));
  const line = (cells: string[]) => cells.map((cell, column) => (cell.length > widths[column] ? `${cell.slice(0, widths[column] - 1)}…` : cell.padEnd(widths[column]))).join('  ');
  return [line(header), widths.map((width) => '-'.repeat(width)).join('  '), ...rows.map(line)];
}

/** Runs the demo; resolves with its exit status. */
export async function runDemo(env: NodeJS.ProcessEnv = process.env, out: (line: string) => void = console.log): Promise<number> {
  const session = new Session(platformAddress(env), env.CAIRN_DEV_JWT_SECRET ?? LOCAL_DEV_JWT_SECRET);
  const cliEnv = { ...process.env, ...natsEnvOf({ kind: 'cli' }, session.address.natsUrl, session.address.natsCredentialsDir), MONGO_URL: session.address.mongoUrl };
  const cli = async (args: string[]) => {
    out(`    $ npm run cairn -- ${args.join(' ')}`);
    const { stdout } = await promisify(execFile)(process.execPath, ['-r', join(REPO, 'deploy/local/register.js'), join(REPO, 'dist/services/access/src/cli.js'), ...args], { env: cliEnv }).catch(
      (error: Error & { stdout?: string; stderr?: string }) => {
        throw new StepFailed(`the audit replay failed: ${error.stdout ?? ''}${error.stderr ?? error.message}`);
      },
    );
    for (const line of stdout.trimEnd().split('\n')) out(`    ${line}`);
    return stdout;
  };
  const running = await runningServices(session);
  out(`Cairn demo against ${session.address.edgeUrl} (services: ${[...running].join(', ')}); requests are tagged X-Request-Id demo-${session.run}-<n>`);
  const outcomes: Outcome[] = [];
  let failed = false;
  for (const step of guideSteps(session, cli)) {
    const missing = (step.needs ?? []).filter((service) => !running.has(service));
    if (failed) {
      outcomes.push({ step, result: 'not run', detail: 'an earlier step failed' });
    } else if (missing.length > 0) {
      outcomes.push({ step, result: 'skipped', detail: `the ${missing.join(' and ')} service is not running` });
      out(`- ${step.title}: skipped (the ${missing.join(' and ')} service is not running)`);
    } else if (step.unavailable?.()) {
      const reason = step.unavailable()!;
      outcomes.push({ step, result: 'skipped', detail: reason });
      out(`- ${step.title}: skipped (${reason})`);
    } else {
      try {
        const detail = await step.run();
        outcomes.push({ step, result: 'passed', detail });
        out(`✓ ${step.title}: ${detail}`);
      } catch (error) {
        failed = true;
        const detail = (error as Error).message;
        outcomes.push({ step, result: 'failed', detail });
        out(`✗ ${step.title}: ${detail}`);
      }
    }
  }
  out('');
  for (const line of table(outcomes)) out(line);
  const count = (result: Outcome['result']) => outcomes.filter((outcome) => outcome.result === result).length;
  out(`\ndemo: ${count('passed')} passed, ${count('failed')} failed, ${count('skipped')} skipped, ${count('not run')} not run`);
  return failed ? 1 : 0;
}

if (require.main === module) {
  runDemo().then(
    (status) => process.exit(status),
    (error: Error) => {
      console.error(`demo: ${error.message}`);
      process.exit(1);
    },
  );
}
