import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { browserUnavailableReason, checkPage, eventually, labWith, startConsolePlatform, tabTo, type ConsolePlatform } from './browser';
import { demoTemplate } from '@cairn/testing';

const RENDER_MOLECULE = demoTemplate('Render Molecule');

const unavailable = browserUnavailableReason();
if (unavailable) console.warn(`console browser tests skipped: ${unavailable}`);
const describeInBrowser = unavailable ? describe.skip : describe;

const CAFFEINE = readFileSync(join(__dirname, '../../services/runner/samples/caffeine.xyz'));

/**
 * The facility guide's Steps 2 to 5 in the browser (docs/requirements.md F-14 to F-27), on the platform with its reference runner: Dave finds
 * Bob's job by triggerer and template, inspects it, reruns it through the step-by-step flow (file types
 * checked, parameters tuned, another machine), and the rerun appears with him as its triggerer; then he
 * records it as the logbook's best job and comments on it for Bob; the job page's lineage shows the rerun under
 * Bob's original with what changed and its best-job mark (#24 point 3).
 */
describeInBrowser(`finding, inspecting and rerunning a teammate's job; the logbook's best job with a comment, in Chromium${unavailable ? ` (skipped: ${unavailable})` : ''}`, () => {
  let cairn: ConsolePlatform;
  let original: string;

  beforeAll(async () => {
    cairn = await startConsolePlatform();
    await labWith(cairn, 'imaging', 'Imaging', ['bob', 'dave']);
    expect((await cairn.api('alice', 'POST', '/api/job-templates', RENDER_MOLECULE)).status).toBe(201);
    const project = await cairn.api<{ id: string }>('bob', 'POST', '/api/projects', { lab: 'imaging', name: 'Caffeine movie', scheme: 'facility' });
    const projectId = project.body.id;
    await eventually('dave given member', async () => (await cairn.api('bob', 'PUT', `/api/projects/${projectId}/access/users/dave`, { role: 'member' })).status === 200);
    const fileId = await cairn.upload('bob', projectId, 'raw/caffeine.xyz', CAFFEINE);
    const run = await cairn.api<{ id: string }>('bob', 'POST', `/api/projects/${projectId}/jobs`, {
      template: `Render Molecule@${RENDER_MOLECULE.version}`,
      inputs: [fileId],
      parameters: { style: 'ball-and-stick', view: 'front' },
      machine: { type: 'cpu', performance: 'standard' },
    });
    expect(run.status).toBe(201);
    original = run.body.id;
    await eventually("Bob's job to succeed", async () => (await cairn.api<{ status: string }>('bob', 'GET', `/api/jobs/${original}`)).body.status === 'succeeded');
  }, 180_000);
  afterAll(() => cairn?.stop(), 60_000);

  it("Dave finds Bob's job by triggerer and template, inspects it, and reruns it on a GPU with other parameters: the rerun is his", async () => {
    const dave = await cairn.signIn('dave');
    // "Go to Analysis → Jobs", "search by triggerer", "search by job template name".
    await dave.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Analysis → Jobs' }).click();
    await dave.getByRole('combobox', { name: 'Triggered by' }).fill('bob');
    await dave.getByRole('listbox', { name: 'Triggered by: suggestions' }).getByRole('option', { name: /Bob Brown/ }).click();
    await dave.getByLabel('Template').fill('render');
    await dave.getByLabel('Status').selectOption('succeeded');
    await dave.getByRole('button', { name: 'Search' }).click();
    await dave.waitForURL(/triggeredBy=bob/);
    const row = dave.getByRole('row', { name: /Render Molecule/ });
    await row.getByText('Bob Brown').waitFor();
    expect(await dave.getByRole('row').count()).toBe(2);
    expect(await checkPage(dave, 'jobs-search')).toEqual([]);

    // "Open a job to view: input files, parameters used, logs, output files, comments."
    await row.getByRole('link', { name: 'Render Molecule' }).click();
    await dave.waitForURL(`**/jobs/${original}`);
    const details = dave.locator('#details');
    await details.getByText('CPU, standard').waitFor();
    await dave.locator('#inputs').getByRole('link', { name: 'raw/caffeine.xyz' }).waitFor();
    await dave.locator('#inputs').getByText('ball-and-stick').waitFor();
    await dave.locator('#timeline').getByText('exited with 0').waitFor();
    await dave.getByLabel('Job log').waitFor();
    await dave.locator('#outputs').getByText('caffeine.svg').waitFor();
    await dave.locator('#comments').getByText('No comments yet.').waitFor();
    await dave.locator('#lineage').getByText('No reruns yet: this job stands alone.').waitFor();
    expect(await checkPage(dave, 'job')).toEqual([]);

    // "Click Rerun; review the step-by-step flow", from the keyboard where it matters.
    await dave.getByRole('link', { name: 'Rerun' }).click();
    await dave.getByRole('heading', { name: '1. Version' }).waitFor();
    await dave.getByRole('button', { name: 'Next: Inputs' }).click();
    await dave.getByRole('heading', { name: '2. Inputs' }).waitFor();
    await dave.getByText('✓ type .xyz accepted').waitFor();
    await dave.getByRole('button', { name: 'Next: Parameters' }).click();
    await dave.getByLabel('style').selectOption('cartoon');
    await dave.getByLabel('view').selectOption('all');
    expect(await checkPage(dave, 'rerun-parameters')).toEqual([]);
    await dave.getByRole('button', { name: 'Next: Machine' }).click();
    await dave.getByRole('radio', { name: /GPU, turbo/ }).check();
    await dave.getByRole('button', { name: 'Next: Review and start' }).click();
    await dave.getByText('Parameter style: ball-and-stick → cartoon').waitFor();
    await dave.getByText('Machine: CPU, standard → GPU, turbo').waitFor();
    await tabTo(dave, /^Start the job$/);
    await dave.keyboard.press('Enter');

    // "Your rerun will appear in the job list with you as the triggerer."
    await dave.waitForURL((url) => /\/jobs\/[0-9a-f-]{36}$/.test(url.pathname) && !url.pathname.endsWith(original));
    const rerun = dave.url().split('/').pop()!;
    await dave.locator('#details').getByText(`Rerun of job ${original.slice(0, 8)}`).waitFor();
    await dave.locator('#details').getByText('Dave Diaz').waitFor();
    await dave.locator('#changes').getByText('Parameter view: front → all').waitFor();
    await dave.locator('#changes').getByText('Machine: CPU, standard → GPU, turbo').waitFor();
    // Status and logs live, without a reload.
    await dave.locator('#timeline').getByText('exited with 0').waitFor({ timeout: 30_000 });
    await dave.locator('#outputs').getByText('caffeine.svg').waitFor();
    expect(await checkPage(dave, 'rerun-job')).toEqual([]);

    await dave.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Analysis → Jobs' }).click();
    const newest = dave.getByRole('row').nth(1);
    await newest.getByText('Dave Diaz').waitFor();
    await newest.getByText(`rerun of ${original.slice(0, 8)}`).waitFor();

    // Step 5: the best job with its reason, and a comment on it for Bob.
    await dave.goto(`/jobs/${rerun}`);
    await dave.getByLabel('Why is this the best job so far?').fill('view=all + cartoon style');
    await dave.getByRole('button', { name: 'Mark as best job' }).click();
    await dave.getByText('Recorded in the logbook as the latest best job.').waitFor();
    // The lineage marks it live, as the project's activity tells of the logbook's new best job.
    const lineage = dave.locator('#lineage');
    await lineage.getByText(`job ${rerun.slice(0, 8)} (this job)`).waitFor();
    await lineage.getByText('Best job', { exact: true }).waitFor();
    const comments = dave.getByRole('region', { name: 'Comments on this job' });
    await comments.getByLabel('Add a comment').fill('Best output: view=all + cartoon style, @bob');
    await comments.getByRole('button', { name: 'Comment' }).click();
    await comments.locator('.mention', { hasText: '@bob' }).waitFor();

    const bob = await cairn.signIn('bob');
    await bob.goto('/labs/imaging/projects/caffeine-movie/logbook');
    const best = bob.locator('#best-jobs');
    await best.getByText('view=all + cartoon style').waitFor();
    await best.getByText(`render-molecule@${RENDER_MOLECULE.version}`).or(best.getByText(`Render Molecule@${RENDER_MOLECULE.version}`)).waitFor();
    await best.getByText('run by Dave Diaz').waitFor();
    expect(await checkPage(bob, 'logbook-best-job')).toEqual([]);
    await best.getByRole('link', { name: /Render Molecule/ }).click();
    await bob.locator('#comments').getByText('Best output: view=all + cartoon style,').waitFor();

    // "Lineage in view": on his original, Bob sees Dave's rerun under it, who ran it, what changed, its status and mark.
    await bob.goto(`/jobs/${original}`);
    const tree = bob.getByRole('list', { name: 'Reruns under the first job' });
    await tree.getByText(`job ${original.slice(0, 8)} (this job)`).waitFor();
    // The innermost item holding the link: the root's item holds it too.
    const daves = tree.getByRole('listitem').filter({ has: bob.getByRole('link', { name: `job ${rerun.slice(0, 8)}` }) }).last();
    await daves.getByText('Dave Diaz').waitFor();
    await daves.getByText('Parameter view: front → all').waitFor();
    await daves.getByText('Machine: CPU, standard → GPU, turbo').waitFor();
    await daves.getByText('succeeded').waitFor();
    await daves.getByText('Best job', { exact: true }).waitFor();
    expect(await checkPage(bob, 'job-lineage')).toEqual([]);
  }, 240_000);
});
