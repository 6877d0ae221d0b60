import { browserUnavailableReason, checkPage, labWith, startConsolePlatform, type ConsolePlatform } from './browser';

const unavailable = browserUnavailableReason();
if (unavailable) console.warn(`console browser tests skipped: ${unavailable}`);
const describeInBrowser = unavailable ? describe.skip : describe;

/**
 * The lab guide in the browser (docs/requirements.md L-7, L-12, L-20, L-21, L-22): a lab project with a base level ("the default access level
 * for anybody in the lab"), the users page's two parts, "change level" making an explicit permission for
 * someone with the base level, and the experiment manager's removal with the widening warning.
 */
describeInBrowser(`a lab project with a base level and the widening confirmation, in Chromium${unavailable ? ` (skipped: ${unavailable})` : ''}`, () => {
  let cairn: ConsolePlatform;

  beforeAll(async () => {
    cairn = await startConsolePlatform();
    await labWith(cairn, 'sundog', 'Sundog', ['dave', 'bob', 'erin']);
  }, 120_000);
  afterAll(() => cairn?.stop(), 60_000);

  it('Dave opens a project to the lab as viewers, keeps Erin out with an explicit None, and is warned that removing an experiment shows it to her', async () => {
    const dave = await cairn.signIn('dave');
    await dave.goto('/labs/sundog/projects');
    await dave.getByRole('button', { name: 'New project' }).click();
    await dave.getByLabel('Name').fill('Apoferritin stacks');
    await dave.getByRole('radio', { name: /Lab/ }).check();
    await dave.getByLabel('Base level', { exact: true }).selectOption('viewer');
    await dave.getByRole('button', { name: 'Create project' }).click();
    await dave.waitForURL('**/labs/sundog/projects/apoferritin-stacks');
    await dave.getByText('Base level: Viewer').waitFor();

    // "First, anyone with an explicit permission on the project, and then anyone else in the lab who has access via the base level."
    await dave.getByRole('link', { name: 'Users' }).click();
    const viaBase = dave.locator('#base-level');
    await viaBase.getByRole('row', { name: /Bob Brown/ }).getByText('Viewer').waitFor();
    const erinRow = viaBase.getByRole('row', { name: /Erin Evans/ });
    // "Click change level ... to create an explicit permission for someone with a base level."
    await erinRow.getByRole('button', { name: 'Change level of Erin Evans' }).click();
    await erinRow.getByLabel('New level for Erin Evans').selectOption('none');
    await erinRow.getByRole('button', { name: 'Preview' }).click();
    await dave.locator('#preview').getByText('Erin Evans: Viewer → None').waitFor();
    await dave.locator('#preview').getByText(/Loses: see the project/).waitFor();
    expect(await checkPage(dave, 'users-lab-preview')).toEqual([]);
    await dave.locator('#preview').getByRole('button', { name: 'Save change' }).click();
    await dave.locator('#explicit').getByRole('row', { name: /Erin Evans/ }).getByText('None').waitFor();
    expect(await viaBase.getByRole('row', { name: /Erin Evans/ }).count()).toBe(0);
    expect(await checkPage(dave, 'users-lab')).toEqual([]);

    // "The buttons top right give you a shortcut to creating a new experiment in this project, and to the experiment manager."
    await dave.getByRole('link', { name: 'Experiments' }).click();
    for (const name of ['Apoferritin 2.1 Å', 'Apoferritin 1.8 Å']) {
      await dave.getByRole('button', { name: 'New experiment' }).click();
      await dave.getByLabel('Name').fill(name);
      await dave.getByRole('button', { name: 'Create and add to project' }).click();
      await dave.getByRole('row', { name: new RegExp(name) }).waitFor();
    }
    expect(await checkPage(dave, 'experiments')).toEqual([]);

    await dave.getByRole('link', { name: 'Experiment manager' }).click();
    await dave.getByRole('heading', { level: 1, name: 'Experiment manager' }).waitFor();
    await dave.getByLabel('Filter the lab’s experiments').fill('Apoferritin 2');
    await dave.getByRole('row', { name: /Apoferritin 1\.8/ }).waitFor({ state: 'detached' });
    await dave.getByRole('checkbox', { name: 'Select Apoferritin 2.1 Å' }).check();
    await dave.getByRole('button', { name: 'Remove from project (1)' }).click();
    await dave.getByRole('heading', { name: 'Remove from the project?' }).waitFor();
    await dave.getByRole('button', { name: 'Remove', exact: true }).click();
    const warning = dave.locator('#confirm-removal');
    await warning.getByRole('heading', { name: 'More people would see these experiments' }).waitFor();
    await warning.getByText('Apoferritin 2.1 Å would newly be visible to Erin Evans.').waitFor();
    expect(await checkPage(dave, 'experiment-manager-widening')).toEqual([]);
    await warning.getByRole('button', { name: 'Remove anyway' }).click();
    await dave.getByText('Removed 1 experiment from the project.').waitFor();
    await dave.getByRole('row', { name: /Apoferritin 2\.1/ }).getByText('No').waitFor();
  }, 180_000);

  it('Bob sees the project through the base level as a viewer: the pages, not the controls his level lacks', async () => {
    const bob = await cairn.signIn('bob');
    await bob.goto('/labs/sundog/projects');
    await bob.getByRole('link', { name: 'Apoferritin stacks' }).click();
    await bob.getByText('Your role: Viewer (base level)').waitFor();
    await bob.getByText('Apoferritin 1.8 Å').waitFor();
    expect(await bob.getByRole('link', { name: 'Experiment manager' }).count()).toBe(0);
    await bob.getByRole('link', { name: 'Users' }).click();
    await bob.locator('#explicit').waitFor();
    expect(await bob.getByRole('button', { name: 'Add permission' }).count()).toBe(0);
    expect(await bob.getByRole('button', { name: /Change level/ }).count()).toBe(0);
    expect(await checkPage(bob, 'users-viewer')).toEqual([]);
  }, 60_000);
});
