import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { RunningPlatform } from '@cairn/local-platform';
import { dialsUnavailableReason } from '@cairn/testing';
import { startLocalPlatform } from './local-platform';

const REPO = join(__dirname, '..', '..');

/**
 * `npm run demo` (deploy/local/demo.ts) against the platform as `npm start` runs it: both guides by
 * several people, the auditor's replay, and the summary; it exits 0 only when every step it ran passed.
 */
describe('npm run demo', () => {
  let platform: RunningPlatform;

  beforeAll(async () => {
    platform = await startLocalPlatform('demo');
  }, 120_000);
  afterAll(() => platform?.stop());

  it('walks both guides through the API, replays the access history, and ends with a summary table', async () => {
    const { stdout } = await promisify(execFile)(process.execPath, ['-r', join(REPO, 'deploy/local/register.js'), join(REPO, 'dist/deploy/local/demo.js')], {
      env: { ...process.env, CAIRN_URL: platform.edgeUrl, NATS_URL: platform.natsUrl, CAIRN_NATS_CREDENTIALS_DIR: platform.natsCredentialsDir, MONGO_URL: platform.mongoUrl },
    }).catch((error: Error & { stdout?: string }) => {
      throw new Error(`the demo failed:\n${error.stdout ?? error.message}`);
    });

    const running = new Set(platform.services.map((service) => service.name));
    for (const step of ['creates a lab', 'shares it with mark', 'a member adds viewers', 'four eyes', 'ownership transfer', 'base level viewer', 'the users page', 'experiment manager', 'warns first']) {
      expect(stdout).toMatch(new RegExp(`^✓ .*${step}`, 'm'));
    }
    const needing = [
      [['jobs'], 'renders the molecule'],
      [['jobs'], 'reviews it'],
      [['jobs'], 'reruns it'],
      [['logbook'], 'starts the logbook from the suggested template'],
      [['jobs', 'logbook'], 'latest best job'],
      [['logbook'], 'comments on an experiment'],
    ] as const;
    for (const [services, step] of needing) {
      const missing = services.filter((service) => !running.has(service));
      expect(stdout).toMatch(new RegExp(missing.length === 0 ? `^✓ .*${step}` : `^- .*${step}.*: skipped \\(the ${missing.join(' and ')} service is not running\\)`, 'm'));
    }
    const withoutDials = dialsUnavailableReason();
    expect(stdout).toMatch(new RegExp(withoutDials ? '^- mia processes a diffraction sweep with DIALS.*: skipped \\(DIALS is not installed' : '^✓ mia processes a diffraction sweep with DIALS: .*imported\\.expt.*strong\\.refl', 'm'));
    expect(stdout).toMatch(/\$ npm run cairn -- audit replay --project \S+/);
    expect(stdout).toMatch(/Read model access_intervals \(applied up to position \d+\) agrees\./);
    expect(stdout).toMatch(/^# +guide +result +step/m);
    expect(stdout).toMatch(/^demo: \d+ passed, 0 failed, \d+ skipped, 0 not run$/m);
    // DIALS, when installed, adds a job of tens of seconds on a loaded machine.
  }, 300_000);
});
