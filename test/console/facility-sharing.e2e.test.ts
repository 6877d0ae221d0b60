import { browserUnavailableReason, checkPage, labWith, startConsolePlatform, tabTo, type ConsolePlatform } from './browser';

const unavailable = browserUnavailableReason();
if (unavailable) console.warn(`console browser tests skipped: ${unavailable}`);
const describeInBrowser = unavailable ? describe.skip : describe;

/**
 * The facility guide's "Step 1: Share a project with your team" in the browser (docs/requirements.md F-11, F-13): "Go to Projects, select
 * the project, click on Manage Access, add people via their username or e-mail address and assign them
 * their intended role. Tip: add at least one other Manager as backup." Then the project's files as the
 * team shares them: an upload with its progress, the four-eyes deletion, the activity live on the page.
 */
describeInBrowser(`sharing a facility project and changing roles, in Chromium${unavailable ? ` (skipped: ${unavailable})` : ''}`, () => {
  let cairn: ConsolePlatform;

  beforeAll(async () => {
    cairn = await startConsolePlatform();
    await labWith(cairn, 'crystallography', 'Crystallography', ['bob', 'carol', 'dave']);
  }, 120_000);
  afterAll(() => cairn?.stop(), 60_000);

  it('the sign-in picker, the labs and a lab\'s members, as the facility admin sees them', async () => {
    const visitor = await cairn.browser.newContext({ baseURL: cairn.platform.edgeUrl, viewport: { width: 1280, height: 900 } });
    const signIn = await visitor.newPage();
    await signIn.goto('/labs');
    await signIn.getByRole('heading', { name: 'Sign in' }).waitFor();
    await signIn.getByRole('button', { name: /Erin Evans/ }).waitFor();
    expect(await checkPage(signIn, 'sign-in')).toEqual([]);
    await signIn.getByRole('button', { name: /Alice Admin/ }).click();
    // Back where the visitor wanted to go.
    await signIn.getByRole('heading', { level: 1, name: 'Your labs' }).waitFor();
    await signIn.getByText('lab admin').waitFor();
    expect(await checkPage(signIn, 'labs')).toEqual([]);
    await signIn.getByRole('link', { name: 'Members' }).click();
    await signIn.getByRole('row', { name: /Dave Diaz/ }).waitFor();
    await signIn.getByLabel('Username or e-mail').waitFor();
    expect(await checkPage(signIn, 'lab-members')).toEqual([]);
    await visitor.close();
  }, 60_000);

  it('Bob creates a project, shares it with Carol through the users page with a preview, makes her the backup manager; she works in it while his page updates live', async () => {
    const bob = await cairn.signIn('bob');
    await bob.getByRole('link', { name: 'Crystallography' }).click();
    await bob.getByRole('heading', { level: 1, name: 'Projects' }).waitFor();
    expect(await checkPage(bob, 'projects-empty')).toEqual([]);

    // "The button top right lets you make a new one."
    await bob.getByRole('button', { name: 'New project' }).click();
    await bob.getByLabel('Name').fill('Lysozyme 2026 — phasing');
    await expect(bob.locator('.slug-preview').textContent()).resolves.toBe('/labs/crystallography/projects/lysozyme-2026-phasing');
    await bob.getByLabel('Slug').fill('lysozyme-2026');
    await bob.getByLabel('Description').fill('Phasing the 2026 lysozyme crystals.');
    await bob.getByRole('radio', { name: /Facility/ }).check();
    expect(await checkPage(bob, 'new-project')).toEqual([]);
    await bob.getByRole('button', { name: 'Create project' }).click();
    await bob.waitForURL('**/labs/crystallography/projects/lysozyme-2026');
    await bob.getByRole('heading', { level: 1, name: 'Lysozyme 2026 — phasing' }).waitFor();
    await bob.getByText('Your role: Owner').waitFor();
    await bob.locator('main').getByRole('link', { name: 'Projects', exact: true }).click();
    await bob.getByRole('row', { name: /Lysozyme 2026 — phasing/ }).waitFor();
    expect(await checkPage(bob, 'projects')).toEqual([]);
    await bob.getByRole('link', { name: 'Lysozyme 2026 — phasing' }).click();
    await bob.getByText('Your role: Owner').waitFor();

    // "Click on Manage Access", by keyboard.
    await tabTo(bob, /^Manage access$/);
    await bob.keyboard.press('Enter');
    await bob.getByRole('heading', { level: 1, name: 'Users' }).waitFor();
    await bob.getByRole('note').getByText(/Add at least one other manager as backup/).waitFor();
    const bobRow = bob.getByRole('row', { name: /Bob Brown/ });
    await bobRow.getByText('You cannot remove your own permission.').waitFor();
    expect(await bobRow.getByRole('button', { name: /Remove/ }).count()).toBe(0);

    // "Add people via their username or e-mail address": the autocomplete, from the keyboard.
    await bob.getByRole('button', { name: 'Add permission' }).click();
    const person = bob.getByRole('combobox', { name: 'Person', exact: true });
    await person.fill('carol@ex');
    await bob.getByRole('listbox', { name: 'Person: suggestions' }).getByRole('option', { name: /Carol Chen/ }).waitFor();
    await person.press('ArrowDown');
    await person.press('Enter');
    await bob.getByText('@carol · carol@example.org').waitFor();
    await bob.getByLabel('Level').selectOption('member');
    await bob.getByRole('button', { name: 'Preview' }).click();
    const preview = bob.locator('#preview');
    await preview.getByText('Carol Chen: None → Member').waitFor();
    await preview.getByText(/Gains: see the project.*upload files.*run and rerun jobs/).waitFor();
    expect(await checkPage(bob, 'users-preview')).toEqual([]);
    await preview.getByRole('button', { name: 'Save change' }).click();
    const carolRow = bob.getByRole('row', { name: /Carol Chen/ });
    await carolRow.getByText('Member').waitFor();

    // The tip's backup: only the owner manages managers.
    await carolRow.getByRole('button', { name: 'Change level of Carol Chen' }).click();
    await carolRow.getByLabel('New level for Carol Chen').selectOption('manager');
    await carolRow.getByRole('button', { name: 'Preview' }).click();
    await preview.getByText('Carol Chen: Member → Manager').waitFor();
    await preview.getByText(/Gains: .*approve deletion of processed data/).waitFor();
    await preview.getByLabel('Reason (optional)').fill('backup for handover');
    await preview.getByRole('button', { name: 'Save change' }).click();
    await carolRow.getByText('Manager').waitFor();
    await bob.getByRole('note').waitFor({ state: 'detached' });
    expect(await checkPage(bob, 'users')).toEqual([]);

    // Bob watches the project page; Carol, in her own browser, uploads raw data.
    await bob.getByRole('link', { name: 'Overview' }).click();
    await bob.getByText('Bob Brown (you) changed Carol Chen from Member to Manager (“backup for handover”)').waitFor();
    const carol = await cairn.signIn('carol');
    await carol.goto('/labs/crystallography/projects/lysozyme-2026/files?folder=raw');
    await carol.getByText('Your role: Manager').waitFor();
    await carol.getByLabel('Upload into raw/').setInputFiles({ name: 'frame-001.cbf', mimeType: 'application/octet-stream', buffer: Buffer.alloc(256 * 1024, 7) });
    await carol.getByRole('progressbar', { name: /frame-001\.cbf/ }).waitFor();
    await carol.getByRole('button', { name: 'Upload', exact: true }).click();
    await carol.getByRole('row', { name: /frame-001\.cbf/ }).waitFor();
    await bob.getByText('Carol Chen uploaded raw/frame-001.cbf').waitFor();
    expect(await checkPage(bob, 'project')).toEqual([]);

    // Four eyes: Carol (manager) asks to delete raw data; she cannot approve her own request; Bob (owner) approves.
    await carol.getByRole('checkbox', { name: 'Select frame-001.cbf' }).check();
    await carol.getByLabel('Why delete 1 file?').fill('overexposed frame');
    await carol.getByRole('button', { name: 'Request deletion' }).click();
    await carol.getByText('Your own request: someone else decides it.').waitFor();
    expect(await carol.getByRole('button', { name: /Approve/ }).count()).toBe(0);
    expect(await checkPage(carol, 'files')).toEqual([]);

    await bob.getByRole('link', { name: 'Files' }).click();
    await bob.getByText('“overexposed frame”').waitFor();
    const download = bob.waitForEvent('download');
    await bob.getByRole('link', { name: 'raw/' }).click();
    await bob.getByRole('button', { name: 'Download frame-001.cbf' }).click();
    expect((await download).suggestedFilename()).toBe('frame-001.cbf');
    await bob.getByRole('button', { name: 'Approve deleting raw/frame-001.cbf' }).click();
    await bob.getByText('This folder is empty.').waitFor();
    await bob.getByText(/raw\/frame-001\.cbf: approved by Bob Brown \(you\)/).waitFor();
  }, 180_000);

  it('someone of the lab without a permission does not see the project: it answers as a project that does not exist would', async () => {
    const dave = await cairn.signIn('dave');
    await dave.goto('/labs/crystallography/projects/no-such-project');
    await dave.getByRole('heading', { level: 1, name: 'Project not available' }).waitFor();
    await dave.getByRole('alert').getByText('projects.project-not-found').waitFor();
    await dave.goto('/labs/crystallography/projects/lysozyme-2026');
    await dave.getByRole('heading', { level: 1, name: 'Project not available' }).waitFor();
    await dave.getByRole('alert').getByText('projects.project-not-found').waitFor();
    expect(await checkPage(dave, 'project-refused')).toEqual([]);
  }, 60_000);
});
