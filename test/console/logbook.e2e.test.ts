import { browserUnavailableReason, checkPage, labWith, startConsolePlatform, type ConsolePlatform } from './browser';

const unavailable = browserUnavailableReason();
if (unavailable) console.warn(`console browser tests skipped: ${unavailable}`);
const describeInBrowser = unavailable ? describe.skip : describe;

/**
 * The facility guide's Step 5, "Coordinate inside the project" (docs/requirements.md F-24 to F-27): the logbook from the suggested template,
 * its revisions with their diffs, and comments with @mentions, in the browser.
 */
describeInBrowser(`the project logbook and comments, in Chromium${unavailable ? ` (skipped: ${unavailable})` : ''}`, () => {
  let cairn: ConsolePlatform;

  beforeAll(async () => {
    cairn = await startConsolePlatform();
    await labWith(cairn, 'optics', 'Optics', ['bob', 'carol']);
    const project = await cairn.api<{ id: string }>('bob', 'POST', '/api/projects', { lab: 'optics', name: 'Lens survey', scheme: 'facility' });
    for (let attempt = 0; (await cairn.api('bob', 'PUT', `/api/projects/${project.body.id}/access/users/carol`, { role: 'member' })).status !== 200; attempt++) {
      if (attempt > 50) throw new Error('carol could not be given a role');
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    const experiment = await cairn.api<{ id: string }>('bob', 'POST', '/api/labs/optics/experiments', { name: 'Lens 2.1', description: 'The first batch' });
    await cairn.api('bob', 'POST', `/api/projects/${project.body.id}/experiments`, { experimentIds: [experiment.body.id] });
  }, 120_000);
  afterAll(() => cairn?.stop(), 60_000);

  it('Carol starts an entry from the suggested template, revises it and reads the diff; she comments on an experiment for Bob, who sees it', async () => {
    const carol = await cairn.signIn('carol');
    await carol.goto('/labs/optics/projects/lens-survey/logbook');
    await carol.getByRole('heading', { level: 1, name: 'Logbook' }).waitFor();
    const template = carol.locator('#template');
    for (const heading of ['Goal / Dataset', 'Latest best job(s)', 'What changed', 'Next steps / open questions', 'Owner & date']) await template.getByText(heading, { exact: true }).waitFor();
    await template.getByText(/Bob Brown \(bob\), \d{4}-\d{2}-\d{2}/).waitFor();

    await carol.getByRole('button', { name: 'New entry' }).click();
    await carol.getByLabel('Title').fill('Survey plan');
    await carol.getByRole('button', { name: 'Start from the suggested template' }).click();
    const entry = carol.getByRole('article', { name: 'Survey plan' });
    await entry.getByText(/Goal \/ Dataset/).waitFor();

    await entry.getByRole('button', { name: 'Edit “Survey plan”' }).click();
    const text = entry.getByLabel('Text of “Survey plan”');
    await text.fill(`${await text.inputValue()}\n\nNext: measure the 2.1 batch at 532 nm.`);
    await entry.getByRole('button', { name: 'Save revision' }).click();
    const revised = carol.getByRole('article', { name: 'Survey plan' });
    await revised.getByRole('button', { name: 'Revisions of “Survey plan” (2)' }).click();
    await revised.getByText('+Next: measure the 2.1 batch at 532 nm.').waitFor();
    await revised.getByText(/Revision 2 by Carol Chen.*2 added, 0 removed/).waitFor();
    expect(await checkPage(carol, 'logbook')).toEqual([]);

    // A facility project's experiments are its "Linked datasets" (the facility guide's word).
    await carol.getByRole('link', { name: 'Linked datasets' }).click();
    await carol.getByRole('heading', { name: 'Linked datasets (1)' }).waitFor();
    await carol.getByRole('button', { name: 'Comments on Lens 2.1' }).click();
    const thread = carol.getByRole('region', { name: 'Comments on Lens 2.1' });
    await thread.getByLabel('Add a comment').fill('@bob the 2.1 batch looks overexposed');
    await thread.getByRole('button', { name: 'Comment' }).click();
    await thread.locator('.mention', { hasText: '@bob' }).waitFor();
    expect(await checkPage(carol, 'experiment-comments')).toEqual([]);

    const bob = await cairn.signIn('bob');
    await bob.goto('/labs/optics/projects/lens-survey');
    await bob.getByText('Carol Chen commented').waitFor();
    await bob.getByText('Carol Chen wrote “Survey plan” in the logbook').waitFor();
  }, 180_000);
});
