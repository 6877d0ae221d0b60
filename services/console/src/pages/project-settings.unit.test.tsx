import { fireEvent, screen, waitFor } from '@testing-library/preact';
import { renderInConsole, stubPlatform } from '../testing/console-harness';
import { ProjectSettingsPage } from './project-settings';
import type { ProjectPage } from './project-shell';

const project = {
  id: 'p-1',
  lab: 'crystallography',
  slug: 'lysozyme',
  name: 'Lysozyme',
  description: 'Phasing.',
  you: { role: 'owner', via: 'explicit', capabilities: ['project.read', 'project.update', 'project.delete'] },
} as ProjectPage;

const page = (name: string, description: string, version: number) => ({ body: { ...project, name, description }, headers: { etag: `"${version}"` } });

describe("the owner's project settings", () => {
  it('edits the name and description on the version read, sending If-Match', async () => {
    const stub = stubPlatform({
      'GET /api/projects/p-1': page('Lysozyme', 'Phasing.', 3),
      'PATCH /api/projects/p-1': { body: { id: 'p-1', name: 'Lysozyme 2026', description: 'Phasing.', version: 4 } },
    });
    renderInConsole(<ProjectSettingsPage project={project} reloadProject={async () => undefined} />, stub);
    const name = (await screen.findByLabelText('Name')) as HTMLInputElement;
    await waitFor(() => expect(name.value).toBe('Lysozyme'));
    fireEvent.input(name, { target: { value: 'Lysozyme 2026' } });
    fireEvent.click(screen.getByRole('button', { name: 'Save changes' }));
    await screen.findByText('Saved.');
    const patch = stub.calls('PATCH', '/api/projects/p-1')[0];
    expect(patch.headers.get('if-match')).toBe('"3"');
    expect(patch.body).toEqual({ name: 'Lysozyme 2026', description: 'Phasing.' });
  });

  it("on 412 shows the other person's change beside the edit, which stays to send again", async () => {
    let reads = 0;
    const stub = stubPlatform({
      'GET /api/projects/p-1': () => (reads++ === 0 ? page('Lysozyme', 'Phasing.', 3) : page('Lysozyme (Carol)', 'Carol rewrote this.', 4)),
      'PATCH /api/projects/p-1': { status: 412, body: { type: 'urn:cairn:problem:conflict', title: 'Precondition Failed', status: 412, detail: 'the project is at version 4', currentVersion: 4 } },
    });
    renderInConsole(<ProjectSettingsPage project={project} reloadProject={async () => undefined} />, stub);
    const name = (await screen.findByLabelText('Name')) as HTMLInputElement;
    await waitFor(() => expect(name.value).toBe('Lysozyme'));
    fireEvent.input(name, { target: { value: 'Mine' } });
    fireEvent.click(screen.getByRole('button', { name: 'Save changes' }));
    expect(await screen.findByText(/Someone else changed the project/)).toBeTruthy();
    expect(screen.getByText('Lysozyme (Carol)')).toBeTruthy();
    expect(screen.getByText('Carol rewrote this.')).toBeTruthy();
    expect(name.value).toBe('Mine');
  });

  it('deletes only once the slug is typed, saying first what happens to files, jobs and logbook', async () => {
    const stub = stubPlatform({
      'GET /api/projects/p-1': page('Lysozyme', 'Phasing.', 3),
      'DELETE /api/projects/p-1': { body: { id: 'p-1', status: 'deleted' } },
    });
    renderInConsole(<ProjectSettingsPage project={project} reloadProject={async () => undefined} />, stub);
    expect(screen.getByText(/its files, its jobs and their outputs, and its logbook stay/)).toBeTruthy();
    const button = screen.getByRole('button', { name: 'Delete this project' }) as HTMLButtonElement;
    expect(button.disabled).toBe(true);
    fireEvent.input(screen.getByLabelText(/Type the project’s slug/), { target: { value: 'lysozyme' } });
    await waitFor(() => expect(button.disabled).toBe(false));
    fireEvent.click(button);
    await waitFor(() => expect(stub.calls('DELETE', '/api/projects/p-1')).toHaveLength(1));
    expect(stub.calls('DELETE', '/api/projects/p-1')[0].headers.get('if-match')).toBe('"3"');
    await waitFor(() => expect(location.pathname).toBe('/labs/crystallography/projects'));
  });
});
