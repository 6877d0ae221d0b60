import { browserUnavailableReason, checkPage, labWith, startConsolePlatform, type ConsolePlatform } from './browser';

const unavailable = browserUnavailableReason();
if (unavailable) console.warn(`console browser tests skipped: ${unavailable}`);
const describeInBrowser = unavailable ? describe.skip : describe;

/**
 * The facility guide's "Add people via their username or e-mail adress and assign them their intended
 * role", for someone who has never signed in (#21 point 4): a manager invites an e-mail address on the
 * users page, the invitation waits, and the invitee's first sign-in with that address, verified, gives
 * them the role: they open the project.
 */
describeInBrowser(`an e-mail invitation accepted at first sign-in, in Chromium${unavailable ? ` (skipped: ${unavailable})` : ''}`, () => {
  let cairn: ConsolePlatform;
  let usersPage: string;
  let projectPage: string;

  beforeAll(async () => {
    cairn = await startConsolePlatform();
    await labWith(cairn, 'partners', 'Partner beamline', ['bob', 'carol']);
    const project = await cairn.api<{ id: string; slug: string }>('bob', 'POST', '/api/projects', { lab: 'partners', name: 'Ferritin cages', scheme: 'facility' });
    if (project.status !== 201) throw new Error(`project: ${project.status} ${JSON.stringify(project.body)}`);
    const manager = await cairn.api('bob', 'PUT', `/api/projects/${project.body.id}/access/users/carol`, { role: 'manager' });
    if (manager.status !== 200) throw new Error(`manager: ${manager.status} ${JSON.stringify(manager.body)}`);
    projectPage = `/labs/partners/projects/${project.body.slug}`;
    usersPage = `${projectPage}/users`;
  }, 120_000);
  afterAll(() => cairn?.stop(), 60_000);

  it('Carol (manager) invites an address nobody has signed in with; it is pending, and one sent by mistake is withdrawn', async () => {
    const carol = await cairn.signIn('carol');
    await carol.goto(usersPage);
    await carol.getByRole('heading', { level: 1, name: 'Users' }).waitFor();
    const invitations = carol.locator('#invitations');
    await invitations.getByText('No invitation is pending.').waitFor();

    for (const [email, reason] of [
      ['ines@example.org', 'crystallographer at the partner facility'],
      ['ines@exmaple.org', ''],
    ]) {
      await invitations.getByRole('button', { name: 'Invite by e-mail' }).click();
      await invitations.getByLabel('E-mail address').fill(email);
      await invitations.getByLabel('Level').selectOption('member');
      if (reason) await invitations.getByLabel('Reason (optional)').fill(reason);
      if (reason) expect(await checkPage(carol, 'users-invite-by-email')).toEqual([]);
      await invitations.getByRole('button', { name: 'Send invitation' }).click();
      await invitations.getByRole('status').getByText(`${email} is invited as Member.`).waitFor();
    }
    const row = invitations.getByRole('row', { name: /ines@example\.org/ });
    await row.getByText('Pending until someone signs in with this address, verified by their identity provider.').waitFor();
    await row.getByText('Carol Chen (you)').waitFor();
    expect(await checkPage(carol, 'users-invitations-pending')).toEqual([]);

    await invitations.getByRole('button', { name: 'Withdraw the invitation of ines@exmaple.org' }).click();
    await invitations.getByRole('status').getByText('The invitation of ines@exmaple.org is withdrawn.').waitFor();
    await invitations.getByRole('row', { name: /ines@exmaple\.org/ }).waitFor({ state: 'detached' });
    await row.waitFor();
  }, 120_000);

  it('Ines signs in for the first time with that address, verified, and opens the project as a member', async () => {
    const ines = await cairn.signIn('ines');
    await ines.goto(projectPage);
    await ines.getByRole('heading', { level: 1, name: 'Ferritin cages' }).waitFor();
    await ines.getByText('Your role: Member').waitFor();
    expect(await checkPage(ines, 'invitee-project')).toEqual([]);

    const carol = await cairn.signIn('carol');
    await carol.goto(usersPage);
    const inesRow = carol.locator('#explicit').getByRole('row', { name: /ines/ });
    await inesRow.getByText('Member').waitFor();
    await carol.locator('#invitations').getByText('No invitation is pending.').waitFor();
    await carol.getByRole('link', { name: 'Overview' }).click();
    await carol.getByText(/signed in with ines@example\.org and accepted Carol Chen \(you\)’s invitation/).waitFor();
    expect(await checkPage(carol, 'users-invitation-accepted')).toEqual([]);
  }, 120_000);
});
