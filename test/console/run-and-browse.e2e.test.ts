import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { browserUnavailableReason, checkPage, eventually, labWith, startConsolePlatform, type ConsolePlatform } from './browser';
import { demoTemplate } from '@cairn/testing';

const RENDER_MOLECULE = demoTemplate('Render Molecule');

const unavailable = browserUnavailableReason();
if (unavailable) console.warn(`console browser tests skipped: ${unavailable}`);
const describeInBrowser = unavailable ? describe.skip : describe;

const SAMPLES = join(__dirname, '../../services/runner/samples');
const NEWER = { ...RENDER_MOLECULE, version: '2.1.0', description: `${RENDER_MOLECULE.description} Now with a wider default picture.` };
const MANY_JOBS = 105;
/** Render Molecule with a list of labelled atoms to mark: parameters that nest objects in an array. */
const MARKED = {
  ...RENDER_MOLECULE,
  name: 'Render Marked Molecule',
  parameters: {
    ...RENDER_MOLECULE.parameters,
    properties: {
      ...(RENDER_MOLECULE.parameters.properties as Record<string, unknown>),
      marks: {
        type: 'array',
        maxItems: 3,
        description: 'Atoms to mark',
        items: { type: 'object', required: ['atom'], properties: { atom: { type: 'integer', minimum: 1 }, label: { type: 'string', default: 'site' } } },
      },
    },
  },
};

/**
 * Both guides' job work in the browser (docs/requirements.md F-14 to F-23, L-8), as people who never type a curl command do it: a member runs a
 * first job from a file and follows it live, reruns it with a swapped input on a newer template version,
 * looks into the job's folder (its log among the outputs), pages through a long job history that updates
 * live, and the owner edits, then deletes, a project.
 */
describeInBrowser(`running, rerunning and browsing jobs; project settings, in Chromium${unavailable ? ` (skipped: ${unavailable})` : ''}`, () => {
  let cairn: ConsolePlatform;
  let projectId: string;
  let firstJob: string;
  let caffeine: string;
  const base = '/labs/imaging/projects/caffeine-movie';

  beforeAll(async () => {
    cairn = await startConsolePlatform();
    await labWith(cairn, 'imaging', 'Imaging', ['bob', 'dave']);
    expect((await cairn.api('alice', 'POST', '/api/job-templates', RENDER_MOLECULE)).status).toBe(201);
    expect((await cairn.api('alice', 'POST', '/api/job-templates', NEWER)).status).toBe(201);
    expect((await cairn.api('alice', 'POST', '/api/job-templates', MARKED)).status).toBe(201);
    projectId = (await cairn.api<{ id: string }>('bob', 'POST', '/api/projects', { lab: 'imaging', name: 'Caffeine movie', scheme: 'facility' })).body.id;
    await eventually('dave given member', async () => (await cairn.api('bob', 'PUT', `/api/projects/${projectId}/access/users/dave`, { role: 'member' })).status === 200);
    caffeine = await cairn.upload('bob', projectId, 'raw/caffeine.xyz', readFileSync(join(SAMPLES, 'caffeine.xyz')));
    await cairn.upload('bob', projectId, 'raw/water.xyz', readFileSync(join(SAMPLES, 'water.xyz')));
  }, 180_000);
  afterAll(() => cairn?.stop(), 60_000);

  it('a member runs a first job from a file ("Run a job on this file") and follows it live to its end', async () => {
    const dave = await cairn.signIn('dave');
    await dave.goto(`${base}/files?folder=raw`);
    await dave.getByRole('link', { name: 'Run a job on caffeine.xyz' }).click();
    await dave.getByRole('heading', { name: '1. Template' }).waitFor();
    await dave.getByLabel('Template', { exact: true }).selectOption('Render Molecule');
    await dave.getByLabel('Version').selectOption(RENDER_MOLECULE.version);
    await dave.getByText('drawn by Open Babel as an SVG and a PNG', { exact: false }).waitFor();
    expect(await checkPage(dave, 'run-template')).toEqual([]);
    await dave.getByRole('button', { name: 'Next: Inputs' }).click();
    expect(await dave.getByRole('checkbox', { name: /caffeine\.xyz/ }).isChecked()).toBe(true);
    await dave.getByRole('button', { name: 'Next: Parameters' }).click();
    await dave.getByLabel('view').selectOption('all');
    await dave.getByLabel('width').fill('99999');
    await dave.getByText(/must be at most/).waitFor();
    expect(await checkPage(dave, 'run-parameters-error')).toEqual([]);
    await dave.getByLabel('width').fill('640');
    await dave.getByRole('button', { name: 'Next: Machine' }).click();
    await dave.getByRole('button', { name: 'Next: Review and start' }).click();
    await dave.getByText('Inputs: raw/caffeine.xyz').waitFor();
    await dave.getByRole('button', { name: 'Start the job' }).click();

    await dave.waitForURL((url) => /^\/jobs\/[0-9a-f-]{36}$/.test(url.pathname));
    firstJob = dave.url().split('/').pop()!;
    await dave.locator('#details').getByText('Dave Diaz').waitFor();
    // Live, without a reload: the timeline reaches the end and the picture shows.
    await dave.locator('#timeline').getByText('exited with 0').waitFor({ timeout: 60_000 });
    await dave.locator('#outputs').getByRole('img', { name: /caffeine\.svg/ }).waitFor();
    // The job's whole log is one of its outputs.
    await dave.locator('#outputs').getByRole('button', { name: 'Download job.log' }).waitFor();
    expect(await checkPage(dave, 'run-first-job')).toEqual([]);
  }, 150_000);

  it('a rerun swaps an input for another project file and takes the newer template version, seeing what changes first', async () => {
    const dave = await cairn.signIn('dave');
    await dave.goto(`/jobs/${firstJob}/rerun`);
    await dave.getByLabel('Template version').selectOption(NEWER.version);
    await dave.getByRole('region', { name: `What changes from ${RENDER_MOLECULE.version} to ${NEWER.version}` }).getByText(/Now with a wider default picture/).waitFor();
    expect(await checkPage(dave, 'rerun-version')).toEqual([]);
    await dave.getByRole('button', { name: 'Next: Inputs' }).click();
    await dave.getByRole('button', { name: 'Remove raw/caffeine.xyz' }).click();
    await dave.getByRole('checkbox', { name: /water\.xyz/ }).check();
    await dave.getByText('✓ type .xyz accepted').waitFor();
    expect(await checkPage(dave, 'rerun-inputs')).toEqual([]);
    await dave.getByRole('button', { name: 'Next: Parameters' }).click();
    await dave.getByRole('button', { name: 'Next: Machine' }).click();
    await dave.getByRole('button', { name: 'Next: Review and start' }).click();
    await dave.getByText(`Template version: ${RENDER_MOLECULE.version} → ${NEWER.version}`).waitFor();
    await dave.getByText('Input added: raw/water.xyz').waitFor();
    await dave.getByText('Input left out: raw/caffeine.xyz').waitFor();
    await dave.getByRole('button', { name: 'Start the job' }).click();
    await dave.waitForURL((url) => /^\/jobs\/[0-9a-f-]{36}$/.test(url.pathname) && !url.pathname.endsWith(firstJob));
    await dave.locator('#changes').getByText(`Template version: ${RENDER_MOLECULE.version} → ${NEWER.version}`).waitFor();
    await dave.locator('#timeline').getByText('exited with 0').waitFor({ timeout: 60_000 });
    await dave.locator('#outputs').getByText('water.svg').waitFor();
    expect(await checkPage(dave, 'rerun-started')).toEqual([]);
  }, 150_000);

  it('the job folder is a folder to look into: the picture and the whole job log previewed beside download', async () => {
    const dave = await cairn.signIn('dave');
    await dave.goto(`${base}/files?folder=${encodeURIComponent(`processed/${firstJob}`)}`);
    await dave.getByRole('button', { name: 'Preview job.log' }).click();
    const log = dave.getByLabel('Text of job.log');
    await log.waitFor();
    await eventually('the log previewed', async () => ((await log.textContent()) ?? '').length > 0);
    await dave.getByRole('region', { name: 'Preview of job.log' }).getByRole('button', { name: 'Download all' }).waitFor();
    expect(await checkPage(dave, 'files-preview-log')).toEqual([]);
    await dave.getByRole('button', { name: 'Preview caffeine.svg' }).click();
    const picture = dave.getByRole('img', { name: 'Preview of caffeine.svg' });
    await picture.waitFor();
    await dave.waitForFunction("Array.from(document.images).some((image) => image.alt === 'Preview of caffeine.svg' && image.complete && image.naturalWidth > 0)");
    expect(await picture.getAttribute('src')).toMatch(/^blob:/);
    expect(await checkPage(dave, 'files-preview-svg')).toEqual([]);
  }, 60_000);

  it('the job list pages past 100 jobs with "Load more", filters by triggerer picked by name, and updates live', async () => {
    const run = () => cairn.api<{ id: string }>('bob', 'POST', `/api/projects/${projectId}/jobs`, { template: `Render Molecule@${RENDER_MOLECULE.version}`, inputs: [caffeine], machine: { type: 'cpu', performance: 'standard' } });
    // A long history, made quickly: requested in parallel and cancelled at once, so the runner has nothing to do.
    const made: string[] = [];
    for (let batch = 0; batch < MANY_JOBS; batch += 15) {
      const answers = await Promise.all(Array.from({ length: Math.min(15, MANY_JOBS - batch) }, () => run()));
      expect(answers.map((answer) => answer.status)).toEqual(answers.map(() => 201));
      made.push(...answers.map((answer) => answer.body.id));
    }
    await Promise.all(made.map((id) => cairn.api('bob', 'POST', `/api/jobs/${id}/cancel`)));
    // Dave's two and Bob's many.
    const total = made.length + 2;

    const dave = await cairn.signIn('dave');
    await dave.goto(`${base}/jobs`);
    await dave.getByText('50 jobs shown; older ones follow.').waitFor();
    await dave.getByRole('button', { name: 'Load more' }).click();
    await dave.getByText('100 jobs shown; older ones follow.').waitFor();
    await dave.getByRole('button', { name: 'Load more' }).click();
    await dave.getByText(`${total} jobs shown.`).waitFor();
    expect(await dave.getByRole('button', { name: 'Load more' }).count()).toBe(0);
    expect(await checkPage(dave, 'jobs-paged')).toEqual([]);

    // Live: Bob's new job appears at the top, then its status changes, without a reload.
    const live = await run();
    // Job ids are time-ordered: the row is found by its link, not by the short id it shows.
    const row = dave.locator(`tr:has(a[href="/jobs/${live.body.id}"])`);
    await row.getByText('Bob Brown').waitFor();
    await cairn.api('bob', 'POST', `/api/jobs/${live.body.id}/cancel`);
    // Cancelled at once when still queued; cancelling, then cancelled, when the runner had it.
    await row.getByText(/^cancell/).waitFor();
    await dave.getByText(`${total + 1} jobs shown.`).waitFor();

    // "Search by triggerer", picked from the people of the lab by name.
    await dave.getByRole('combobox', { name: 'Triggered by' }).fill('Dave');
    await dave.getByRole('listbox', { name: 'Triggered by: suggestions' }).getByRole('option', { name: /Dave Diaz/ }).click();
    await dave.getByRole('button', { name: 'Search' }).click();
    await dave.waitForURL(/triggeredBy=dave/);
    await dave.getByText('2 jobs shown.').waitFor();
    expect(await checkPage(dave, 'jobs-by-triggerer')).toEqual([]);
  }, 180_000);

  it('"Go to Analysis → Jobs": every project’s jobs, updating live, and a triggerer picked by name among those who ran jobs there', async () => {
    const dave = await cairn.signIn('dave');
    await dave.goto('/');
    await dave.getByRole('link', { name: /Analysis → Jobs/ }).click();
    await dave.waitForURL('**/jobs');
    await dave.getByText('50 jobs shown; older ones follow.').waitFor();

    // Live, without a reload: Bob's new job comes first, then its status changes.
    const live = await cairn.api<{ id: string }>('bob', 'POST', `/api/projects/${projectId}/jobs`, { template: `Render Molecule@${RENDER_MOLECULE.version}`, inputs: [caffeine], machine: { type: 'cpu', performance: 'standard' } });
    const row = dave.locator(`tr:has(a[href="/jobs/${live.body.id}"])`);
    await row.getByText('Bob Brown').waitFor();
    await cairn.api('bob', 'POST', `/api/jobs/${live.body.id}/cancel`);
    await row.getByText(/^cancell/).waitFor();
    expect(await dave.locator('tbody tr').first().locator(`a[href="/jobs/${live.body.id}"]`).count()).toBe(1);
    expect(await checkPage(dave, 'all-jobs-live')).toEqual([]);

    await dave.getByRole('combobox', { name: 'Triggered by' }).fill('Dav');
    await dave.getByRole('listbox', { name: 'Triggered by: suggestions' }).getByRole('option', { name: /Dave Diaz/ }).click();
    await dave.getByRole('button', { name: 'Search' }).click();
    await dave.waitForURL(/triggeredBy=dave/);
    await dave.getByText('2 jobs shown.').waitFor();
    expect(await checkPage(dave, 'all-jobs-by-triggerer')).toEqual([]);
  }, 90_000);

  it('a parameter that is a list of objects: items added and removed, each field checked where it stands, then the job runs with them', async () => {
    const dave = await cairn.signIn('dave');
    await dave.goto(`${base}/jobs/run?input=${caffeine}&path=raw%2Fcaffeine.xyz`);
    await dave.getByLabel('Template', { exact: true }).selectOption('Render Marked Molecule');
    await dave.getByRole('button', { name: 'Next: Inputs' }).click();
    await dave.getByRole('button', { name: 'Next: Parameters' }).click();
    const marks = dave.getByRole('group', { name: 'marks', exact: true });
    await marks.getByRole('button', { name: 'Add to marks' }).click();
    await marks.getByRole('button', { name: 'Add to marks' }).click();
    const first = dave.getByRole('group', { name: 'marks 1' });
    await first.getByText('marks.0.atom is required').waitFor();
    await first.getByLabel('atom').fill('0');
    await first.getByText('marks.0.atom must be at least 1').waitFor();
    expect(await dave.getByRole('button', { name: 'Next: Machine' }).isDisabled()).toBe(true);
    expect(await checkPage(dave, 'run-nested-parameters-error')).toEqual([]);
    await first.getByLabel('atom').fill('3');
    await first.getByLabel('label').fill('N3 methyl');
    await dave.getByRole('button', { name: 'Remove marks 2' }).click();
    expect(await dave.getByRole('group', { name: 'marks 2' }).count()).toBe(0);
    await dave.getByRole('button', { name: 'Next: Machine' }).click();
    await dave.getByRole('button', { name: 'Next: Review and start' }).click();
    await dave.getByText('Parameter marks: [{"atom":3,"label":"N3 methyl"}]').waitFor();
    await dave.getByRole('button', { name: 'Start the job' }).click();
    await dave.waitForURL((url) => /^\/jobs\/[0-9a-f-]{36}$/.test(url.pathname));
    await dave.locator('#inputs').getByText('[{"atom":3,"label":"N3 methyl"}]').waitFor();
    expect(await checkPage(dave, 'run-nested-parameters-started')).toEqual([]);
  }, 90_000);

  it('the owner edits the project (another edit in between is shown, not lost), then deletes it after typing its slug', async () => {
    const created = await cairn.api<{ id: string; slug: string }>('bob', 'POST', '/api/projects', { lab: 'imaging', name: 'Scratch project', scheme: 'facility' });
    const bob = await cairn.signIn('bob');
    await bob.goto(`/labs/imaging/projects/${created.body.slug}/settings`);
    const name = bob.getByRole('textbox', { name: 'Name', exact: true });
    await eventually('the project loaded', async () => (await name.inputValue()) === 'Scratch project');
    await name.fill('Scratch project (renamed)');
    await bob.getByRole('button', { name: 'Save changes' }).click();
    await bob.getByText('Saved.').waitFor();
    expect(await checkPage(bob, 'settings-saved')).toEqual([]);

    // Someone else (Bob in another tab) changes it before this page saves again.
    expect((await cairn.api('bob', 'PATCH', `/api/projects/${created.body.id}`, { description: 'Changed in another tab.' })).status).toBe(200);
    await name.fill('Scratch project (mine)');
    await bob.getByRole('button', { name: 'Save changes' }).click();
    await bob.getByText('Someone else changed the project while you were editing.', { exact: false }).waitFor();
    await bob.getByText('Changed in another tab.').waitFor();
    expect(await name.inputValue()).toBe('Scratch project (mine)');
    expect(await checkPage(bob, 'settings-conflict')).toEqual([]);

    await bob.getByText('its files, its jobs and their outputs, and its logbook stay', { exact: false }).waitFor();
    const remove = bob.getByRole('button', { name: 'Delete this project' });
    expect(await remove.isDisabled()).toBe(true);
    await bob.getByLabel(/Type the project’s slug/).fill(created.body.slug);
    await remove.click();
    await bob.waitForURL('**/labs/imaging/projects');
    await bob.getByRole('link', { name: 'Caffeine movie' }).waitFor();
    expect(await bob.getByRole('link', { name: /Scratch project/ }).count()).toBe(0);
    expect(await checkPage(bob, 'project-deleted')).toEqual([]);
  }, 90_000);
});
