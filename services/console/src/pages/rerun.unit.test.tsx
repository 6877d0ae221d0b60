import { fireEvent, screen, waitFor } from '@testing-library/preact';
import { renderInConsole, stubPlatform } from '../testing/console-harness';
import { RerunPage } from './rerun';

const template = (version: string, inputTypes: string[], parameters: object) => ({
  id: `t-${version}`,
  name: 'Render Molecule',
  version,
  ref: `Render Molecule@${version}`,
  description: 'Renders a molecule.',
  inputTypes,
  machineTypes: ['cpu/standard', 'gpu/turbo'],
  parameters: { type: 'object', properties: parameters },
  command: ['render'],
  registeredAt: '2026-01-01T00:00:00Z',
  registeredBy: 'u-admin',
  timeLimitSeconds: 600,
});
const file = (id: string, path: string) => ({ id, path, name: path.split('/').pop(), folder: 'raw', kind: 'raw', size: 10, sha256: 'x', addedAt: '2026-01-01T00:00:00Z', addedBy: 'u-bob' });

describe('rerun with other inputs and another template version', () => {
  it('swaps an input for another project file (types checked), picks the newer version with what changes shown, and sends both', async () => {
    const stub = stubPlatform({
      'GET /api/jobs/job-1/rerun-form': {
        body: {
          jobId: 'job-1',
          template: { ref: 'Render Molecule@1.0.0', name: 'Render Molecule', version: '1.0.0', latestVersion: '2.0.0', versions: ['1.0.0', '2.0.0'] },
          inputs: [{ fileId: 'f-1', path: 'raw/caffeine.xyz', present: true, acceptedType: true }],
          acceptedInputTypes: ['xyz'],
          parameters: [{ name: 'style', schema: { enum: ['ball-and-stick', 'cartoon'] }, default: 'ball-and-stick', value: 'ball-and-stick', differsFromDefault: false }],
          machine: { type: 'cpu', performance: 'standard' },
          allowedMachines: ['cpu/standard', 'gpu/turbo'],
        },
      },
      'GET /api/jobs/job-1': { body: { id: 'job-1', projectId: 'p-1' } },
      'GET /api/job-templates': { body: { items: [template('2.0.0', ['xyz', 'pdb'], { style: { enum: ['ball-and-stick', 'cartoon'] }, scale: { type: 'number', default: 1 } }), template('1.0.0', ['xyz'], { style: { enum: ['ball-and-stick', 'cartoon'] } })], nextCursor: null } },
      'GET /api/projects/p-1/files': { body: { folder: 'raw', folders: [], items: [file('f-1', 'raw/caffeine.xyz'), file('f-2', 'raw/aspirin.pdb'), file('f-3', 'raw/notes.txt')], nextCursor: null } },
      'POST /api/jobs/job-1/rerun': { status: 201, body: { id: 'job-2' } },
    });
    renderInConsole(<RerunPage jobId="job-1" />, stub);
    const version = (await screen.findByLabelText('Template version')) as HTMLSelectElement;
    fireEvent.change(version, { target: { value: '2.0.0' } });
    expect(await screen.findByText('Input types: .xyz → .xyz, .pdb')).toBeTruthy();
    expect(screen.getByText('New parameter scale (default 1)')).toBeTruthy();
    fireEvent.click(screen.getByRole('button', { name: 'Next: Inputs' }));

    const notes = (await screen.findByRole('checkbox', { name: /notes\.txt/ })) as HTMLInputElement;
    expect(notes.disabled).toBe(true);
    fireEvent.click(screen.getByRole('button', { name: 'Remove raw/caffeine.xyz' }));
    fireEvent.click(screen.getByRole('checkbox', { name: /aspirin\.pdb/ }));
    for (const next of ['Next: Parameters', 'Next: Machine', 'Next: Review and start']) fireEvent.click(screen.getByRole('button', { name: next }));
    expect(screen.getByText('Template version: 1.0.0 → 2.0.0')).toBeTruthy();
    expect(screen.getByText('Input left out: raw/caffeine.xyz')).toBeTruthy();
    expect(screen.getByText('Input added: raw/aspirin.pdb')).toBeTruthy();
    fireEvent.click(screen.getByRole('button', { name: 'Start the job' }));
    await waitFor(() => expect(location.pathname).toBe('/jobs/job-2'));
    expect(stub.calls('POST', '/api/jobs/job-1/rerun')[0].body).toEqual({ inputs: ['f-2'], template: '2.0.0' });
  });
});
