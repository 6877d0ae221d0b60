import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EXIT_OK, runCairnCli, type CliIo } from '@cairn/access-service';
import { browserUnavailableReason, checkPage, labWith, startConsolePlatform, tabTo, type ConsolePlatform } from './browser';

const unavailable = browserUnavailableReason();
if (unavailable) console.warn(`console browser tests skipped: ${unavailable}`);
const describeInBrowser = unavailable ? describe.skip : describe;

/**
 * The auditor's view of a project: whether its access history is intact, in words; the timeline with
 * who changed what, before and after, the reason and the preview its actor saw; and who had which role
 * as of a date and time, and why. The history is made through the API (the guides' pages are tested
 * elsewhere); the auditor is the project's owner, whose role manages its access.
 */
describeInBrowser(`an auditor's "as of" answer, in Chromium${unavailable ? ` (skipped: ${unavailable})` : ''}`, () => {
  let cairn: ConsolePlatform;
  let beforeTheChange: string;

  beforeAll(async () => {
    cairn = await startConsolePlatform();
    await labWith(cairn, 'structures', 'Structures', ['bob', 'carol']);
    const created = await cairn.api<{ id: string }>('bob', 'POST', '/api/projects', { lab: 'structures', name: 'Thermolysin', scheme: 'facility' });
    const project = created.body.id;
    // The access service initializes the project's access once it sees the creation.
    for (let attempt = 0; (await cairn.api('bob', 'GET', `/api/projects/${project}/access`)).status !== 200; attempt++) {
      if (attempt > 50) throw new Error('the project access was never initialized');
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    const preview = await cairn.api<{ previewId: string }>('bob', 'POST', `/api/projects/${project}/access/preview`, { change: { kind: 'set-role', user: 'carol', role: 'member' } });
    await cairn.api('bob', 'PUT', `/api/projects/${project}/access/users/carol`, { role: 'member', reason: 'joins the phasing', previewId: preview.body.previewId });
    await new Promise((resolve) => setTimeout(resolve, 1_100));
    beforeTheChange = new Date().toISOString().slice(0, 19);
    await new Promise((resolve) => setTimeout(resolve, 1_100));
    await cairn.api('bob', 'PUT', `/api/projects/${project}/access/users/carol`, { role: 'manager', reason: 'backup for handover' });
  }, 120_000);
  afterAll(() => cairn?.stop(), 60_000);

  it('Bob reads who had access before Carol became manager, and why; the history is intact, each change with its reason and preview', async () => {
    const bob = await cairn.signIn('bob');
    await bob.goto('/labs/structures/projects/thermolysin');
    await bob.getByRole('link', { name: 'Access history' }).click();
    await bob.getByRole('heading', { level: 1, name: 'Access history' }).waitFor();

    await bob.getByText('The access history is intact.').waitFor();
    await bob.getByText(/All 3 recorded changes are in the order they were made/).waitFor();
    await bob.getByText(/All 2 signed heads verify with ed25519:[0-9a-f]{16}, the platform's current signing key/).waitFor();

    // The bundle he exports verifies offline.
    const [download] = await Promise.all([bob.waitForEvent('download'), bob.getByRole('button', { name: 'Export audit bundle' }).click()]);
    expect(download.suggestedFilename()).toMatch(/^audit-bundle-.+\.json$/);
    const bundleFile = join(mkdtempSync(join(tmpdir(), 'cairn-auditor-')), download.suggestedFilename());
    await download.saveAs(bundleFile);
    const verified: string[] = [];
    const io: CliIo = { env: {}, out: (line) => verified.push(line), err: (line) => verified.push(line), progress: () => undefined };
    expect(await runCairnCli(['audit', 'verify-bundle', bundleFile], io)).toBe(EXIT_OK);
    expect(verified.at(-1)).toBe('VERIFIED: every event, link, signed head and answer recomputes.');

    const granted = bob.getByRole('row', { name: /joins the phasing/ });
    await granted.getByText('None → Member').waitFor();
    await granted.getByRole('button', { name: /^Show/ }).click();
    await granted.getByText(/Carol Chen: None → Member · gains see the project/).waitFor();
    await bob.getByRole('row', { name: /backup for handover/ }).getByText('Member → Manager').waitFor();
    await bob.getByRole('row', { name: /backup for handover/ }).getByText('none').waitFor();

    // "As of": from the keyboard.
    await bob.getByLabel('Date and time (your time zone)').fill(beforeTheChange);
    await tabTo(bob, /^Show access then$/);
    await bob.keyboard.press('Enter');
    const then = bob.locator('.as-of-answer');
    const carolThen = then.getByRole('row', { name: /Carol Chen/ });
    await carolThen.getByText('Member', { exact: true }).waitFor();
    await carolThen.getByText(/explicit permission/).waitFor();
    await then.getByRole('row', { name: /Bob Brown/ }).getByText('Owner', { exact: true }).waitFor();
    expect(await checkPage(bob, 'audit')).toEqual([]);

    await bob.getByLabel('Date and time (your time zone)').fill(new Date(Date.now() + 60_000).toISOString().slice(0, 19));
    await bob.getByRole('button', { name: 'Show access then' }).click();
    await then.getByRole('row', { name: /Carol Chen/ }).getByText('Manager', { exact: true }).waitFor();
  }, 120_000);

  it("Carol, made manager, audits the project too: her role manages its access", async () => {
    const carol = await cairn.signIn('carol');
    await carol.goto('/labs/structures/projects/thermolysin');
    await carol.getByText('Your role: Manager').waitFor();
    await carol.getByRole('link', { name: 'Access history' }).click();
    await carol.getByText('The access history is intact.').waitFor();
  }, 60_000);
});
