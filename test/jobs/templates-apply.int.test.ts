import { cpSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LOCAL_DEV_JWT_SECRET, signDevToken } from '@cairn/auth';
import { ALL_MACHINES, machineKeyOf } from '@cairn/contracts';
import { applyTemplates } from '@cairn/local-platform';
import { demoTemplatesDir } from '@cairn/testing';
import { Platform, type Person } from '../projects/platform';
import { HandRunner } from './support/hand-runner';

/**
 * `npm run cairn -- templates apply DIR` (deploy/templates/README.md): each file of a folder is one template
 * version's registration body; applying is idempotent, and a version's body never changes.
 */
describe('templates as files, applied over the jobs API', () => {
  let platform: Platform;
  let apiUrl: string;
  let dave: Person;
  let mapper: HandRunner;

  beforeAll(async () => {
    platform = await Platform.start({ jobs: {} });
    dave = await platform.signIn('dave');
    // The demo templates allow gpu/*, which is refused until a runner maps it, as a facility's Slurm runner would.
    mapper = await HandRunner.start(platform.nats, 'runner-1', await signDevToken({ username: 'runner-1', runner: true }, LOCAL_DEV_JWT_SECRET), platform.projects);
    await mapper.send('announce', { runnerId: mapper.runnerId, machines: ALL_MACHINES.map(machineKeyOf) });
    const server = platform.jobs.server;
    await new Promise<void>((listening) => server.listen(0, '127.0.0.1', listening));
    apiUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  }, 60_000);
  afterAll(async () => {
    await mapper?.stop();
    await platform?.stop();
  });

  const folderOf = (files: Record<string, string> = {}) => {
    const dir = mkdtempSync(join(tmpdir(), 'templates-'));
    cpSync(demoTemplatesDir(), dir, { recursive: true });
    for (const [file, text] of Object.entries(files)) writeFileSync(join(dir, file), text);
    return dir;
  };
  const apply = (dir: string, token = platform.admin.token) => {
    const lines: string[] = [];
    return applyTemplates({ dir, apiUrl, token, log: (line) => lines.push(line) }).then((outcomes) => ({ outcomes, lines }));
  };
  const registered = async () => (await platform.jobsAs(platform.admin).get('/api/job-templates?limit=100').expect(200)).body.items as { ref: string }[];

  it('registers every file of the folder, says what it registered, and registers nothing again when applied again', async () => {
    const dir = folderOf();
    const first = await apply(dir);
    const files = readdirSync(dir).filter((file) => file.endsWith('.yaml')).sort();
    expect(files).toEqual(expect.arrayContaining(['dials.yaml', 'file-statistics.yaml', 'render-molecule.yaml']));
    expect(first.outcomes.map(({ file, outcome }) => [file, outcome])).toEqual(files.map((file) => [file, 'registered']));
    expect(first.lines).toContain('file-statistics.yaml: File Statistics@1.0.0 registered');
    const before = await registered();

    const again = await apply(dir);

    expect(again.outcomes.map(({ file, outcome }) => [file, outcome])).toEqual(files.map((file) => [file, 'unchanged']));
    expect(again.lines).toContain('render-molecule.yaml: Render Molecule@2.0.0 unchanged');
    expect(await registered()).toEqual(before);
  });

  it('refuses a changed body under a version that is registered, naming the file and what changed, and applies the other files', async () => {
    const changed = readFileSync(join(demoTemplatesDir(), 'file-statistics.yaml'), 'utf8').replace('timeLimitSeconds: 600', 'timeLimitSeconds: 900');
    const newVersion = JSON.stringify({ name: 'Echo', version: '1.0.0', parameters: { type: 'object', properties: {} }, inputTypes: ['*'], machineTypes: ['cpu/standard'], command: ['echo', '{{inputs}}'] });
    const { outcomes, lines } = await apply(folderOf({ 'file-statistics.yaml': changed, 'echo.json': newVersion }));

    expect(outcomes.find((outcome) => outcome.file === 'file-statistics.yaml')).toMatchObject({ outcome: 'refused' });
    expect(lines).toContain('file-statistics.yaml: File Statistics@1.0.0 refused: File Statistics@1.0.0 is registered with another timeLimitSeconds; a version never changes: give the change a new version');
    expect(outcomes.find((outcome) => outcome.file === 'echo.json')).toMatchObject({ outcome: 'registered' });
    expect((await registered()).map((template) => template.ref)).toContain('Echo@1.0.0');
  });

  it('counts a field left out as the value the API gives it, and a set in another order as the same set', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'templates-'));
    const body = { name: 'Defaults', version: '1.0.0', parameters: { type: 'object', properties: {} }, inputTypes: ['TXT', 'csv'], machineTypes: ['gpu/standard', 'cpu/standard'], command: ['echo'] };
    writeFileSync(join(dir, 'defaults.json'), JSON.stringify(body));
    expect((await apply(dir)).outcomes[0].outcome).toBe('registered');
    expect((await apply(dir)).outcomes[0].outcome).toBe('unchanged');
    writeFileSync(join(dir, 'defaults.json'), JSON.stringify({ ...body, timeLimitSeconds: 60 }));
    expect((await apply(dir)).lines).toEqual(['defaults.json: Defaults@1.0.0 refused: Defaults@1.0.0 is registered with another timeLimitSeconds; a version never changes: give the change a new version']);
  });

  it("passes the API's refusals on, naming the file: a bad body, and someone who is not a facility admin", async () => {
    const dir = mkdtempSync(join(tmpdir(), 'templates-'));
    writeFileSync(join(dir, 'bad.yaml'), 'name: Bad\nversion: "1.0"\nparameters: { type: object }\ninputTypes: [pdb]\nmachineTypes: [cpu/huge]\ncommand: [echo]\n');
    expect((await apply(dir)).lines).toEqual([expect.stringMatching(/^bad\.yaml: Bad@1\.0 refused: 400 .*machineTypes: each value in machineTypes must be one of the following values: cpu\/standard/)]);

    writeFileSync(join(dir, 'bad.yaml'), JSON.stringify({ name: 'Mine', version: '1.0.0', parameters: { type: 'object', properties: {} }, inputTypes: ['*'], machineTypes: ['cpu/standard'], command: ['echo'] }));
    expect((await apply(dir, dave.token)).lines).toEqual([expect.stringMatching(/^bad\.yaml: Mine@1\.0\.0 refused: 403 job templates are registered by a facility admin/)]);
  });

  it('refuses a file that is no template version before it calls the API, naming the file', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'templates-'));
    writeFileSync(join(dir, 'numbered.yaml'), 'name: Numbered\nversion: 1.0\n');
    await expect(apply(dir)).rejects.toThrow('numbered.yaml: version: must be a string such as "1.0.0" (quote a version YAML would read as a number)');
  });
});
