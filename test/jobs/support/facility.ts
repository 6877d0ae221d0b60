import { LOCAL_DEV_JWT_SECRET, signDevToken } from '@cairn/auth';
import { ALL_MACHINES, machineKeyOf } from '@cairn/contracts';
import { Platform, type Person } from '../../projects/platform';
import { demoTemplate } from '@cairn/testing';
import { HandRunner } from './hand-runner';

/** The demo templates `npm start` registers (deploy/templates); and one that runs on GPUs only, which a run on a CPU is refused by. */
export const FILE_STATISTICS = demoTemplate('File Statistics');
export const RENDER_MOLECULE = demoTemplate('Render Molecule');
export const GPU_RENDER = { ...RENDER_MOLECULE, name: 'Render Molecule on GPU', machineTypes: ['gpu/standard', 'gpu/turbo'] };

export const CPU = { type: 'cpu', performance: 'standard' } as const;
export const GPU = { type: 'gpu', performance: 'standard' } as const;

/**
 * The facility guide's cast on the platform under test: in lab `facility`, Olga owns the project
 * "Lysozyme", Max manages it, Carol and Bob are members, Vic is a viewer; Nadia is in the lab without
 * access yet. Olga also owns "Elsewhere", whose file nobody may use in Lysozyme. Files: a PDB, a text
 * note and a CSV in Lysozyme, a PDB in Elsewhere.
 */
export class Facility {
  olga!: Person;
  max!: Person;
  carol!: Person;
  bob!: Person;
  vic!: Person;
  nadia!: Person;
  project!: string;
  elsewhere!: string;
  files!: { pdb: string; notes: string; csv: string; elsewherePdb: string };
  private readonly runners: HandRunner[] = [];

  private constructor(readonly platform: Platform) {}

  static async start(jobsEnv: Record<string, string> = {}): Promise<Facility> {
    const facility = new Facility(await Platform.start({ jobs: jobsEnv }));
    await facility.populate();
    return facility;
  }

  async stop(): Promise<void> {
    for (const runner of this.runners) await runner.stop().catch(() => undefined);
    await this.platform.stop();
  }

  /** A runner with its own token, speaking to this platform. */
  async runner(runnerId: string): Promise<HandRunner> {
    const token = await signDevToken({ username: runnerId, runner: true }, LOCAL_DEV_JWT_SECRET);
    const runner = await HandRunner.start(this.platform.nats, runnerId, token, this.platform.projects);
    this.runners.push(runner);
    return runner;
  }

  /** Carol's request to run a template on the project (201 expected by callers that need the job). */
  run(person: Person, body: object, project = this.project) {
    return this.platform.jobsAs(person).post(`/api/projects/${project}/jobs`, body);
  }

  private async populate(): Promise<void> {
    const { platform } = this;
    [this.olga, this.max, this.carol, this.bob, this.vic, this.nadia] = await Promise.all(
      ['olga', 'max', 'carol', 'bob', 'vic', 'nadia'].map((name) => platform.signIn(name)),
    );
    await platform.lab('facility', [this.olga, this.max, this.carol, this.bob, this.vic, this.nadia]);
    this.project = (await platform.as(this.olga).post('/api/projects', { lab: 'facility', name: 'Lysozyme', scheme: 'facility' }).expect(201)).body.id;
    this.elsewhere = (await platform.as(this.olga).post('/api/projects', { lab: 'facility', name: 'Elsewhere', scheme: 'facility' }).expect(201)).body.id;
    for (const [person, role] of [
      [this.max, 'manager'],
      [this.carol, 'member'],
      [this.bob, 'member'],
      [this.vic, 'viewer'],
    ] as const) {
      await platform.accessAs(this.olga).put(`/api/projects/${this.project}/access/users/${person.username}`, { role }).expect(200);
    }
    const upload = async (project: string, path: string, content: string) =>
      (await platform.as(this.olga).upload(`/api/projects/${project}/files`, path, content, path.split('/').pop()).expect(201)).body.id as string;
    this.files = {
      pdb: await upload(this.project, 'raw/lysozyme.pdb', 'ATOM      1  N   LYS A   1       3.287  10.092  10.329\n'),
      notes: await upload(this.project, 'raw/notes.txt', 'grid 7 looked best\n'),
      csv: await upload(this.project, 'raw/intensities.csv', 'sample,intensity\nA1,0.42\nA2,0.57\n'),
      elsewherePdb: await upload(this.elsewhere, 'raw/theirs.pdb', 'ATOM      1  C\n'),
    };
    // A template allowing gpu/* is refused until a runner maps it: runner-1 (the specs' own) maps every type, as a
    // facility's Slurm runner would. (Its identity is registered once: each new one reloads nats-server.)
    const mapper = await this.runner('runner-1');
    await mapper.send('announce', { runnerId: mapper.runnerId, machines: ALL_MACHINES.map(machineKeyOf) });
    for (const template of [FILE_STATISTICS, RENDER_MOLECULE, GPU_RENDER]) await platform.jobsAs(platform.admin).post('/api/job-templates', template).expect(201);
  }
}
