import { fireEvent, screen, waitFor, within } from '@testing-library/preact';
import { renderInConsole, stubPlatform } from '../testing/console-harness';
import type { ProjectPage } from './project-shell';
import { RunJobPage } from './run-job';

const project = { id: 'p-1', lab: 'crystallography', slug: 'lysozyme', name: 'Lysozyme', you: { role: 'experimenter', via: 'explicit', capabilities: ['project.read', 'jobs.run'] } } as ProjectPage;

const template = (version: string, maximum: number) => ({
  id: `t-${version}`,
  name: 'File Statistics',
  version,
  ref: `File Statistics@${version}`,
  description: `Counts _lines_ and bytes (v${version}).`,
  inputTypes: ['csv', 'txt'],
  machineTypes: ['cpu/standard', 'gpu/turbo'],
  parameters: { type: 'object', properties: { bins: { type: 'integer', minimum: 1, maximum, default: 10, description: 'Histogram bins' }, mode: { enum: ['fast', 'exact'], default: 'fast' } } },
  command: ['stats'],
  registeredAt: '2026-01-01T00:00:00Z',
  registeredBy: 'u-admin',
  timeLimitSeconds: 600,
});

function platform() {
  return stubPlatform({
    'GET /api/job-templates': { body: { items: [template('2.0.0', 50), template('1.0.0', 20)], nextCursor: null } },
    'GET /api/projects/p-1/files': ({ query }) => ({
      body: query.get('folder') === 'raw'
        ? { folder: 'raw', folders: [], items: [file('f-1', 'raw/counts.csv'), file('f-2', 'raw/photo.tif')], nextCursor: null }
        : { folder: '', folders: ['raw'], items: [], nextCursor: null },
    }),
    'POST /api/projects/p-1/jobs': ({ body }) =>
      (body as { parameters?: { bins?: number } }).parameters?.bins === 13
        ? { status: 400, body: { type: 'urn:cairn:problem:validation', title: 'Bad Request', status: 400, detail: 'parameters.bins: unlucky', rule: 'validation', errors: [{ field: 'parameters.bins', message: 'is not allowed by the facility' }] } }
        : { status: 201, body: { id: 'job-42' } },
  });
}

const file = (id: string, path: string) => ({ id, path, name: path.split('/').pop(), folder: 'raw', kind: 'raw', size: 10, sha256: 'x', addedAt: '2026-01-01T00:00:00Z', addedBy: 'u-bob' });
const next = () => fireEvent.click(screen.getByRole('button', { name: /^Next:/ }));

describe('running a job from the console', () => {
  it('template and version with its description, inputs checked by type, a form from the JSON Schema, a machine it allows; then the job page', async () => {
    const stub = platform();
    renderInConsole(<RunJobPage project={project} />, stub);
    const version = (await screen.findByLabelText('Version')) as HTMLSelectElement;
    expect([...version.options].map((option) => option.textContent)).toEqual(['2.0.0 (newest)', '1.0.0']);
    fireEvent.change(version, { target: { value: '1.0.0' } });
    expect(screen.getByText('lines').tagName).toBe('EM');
    expect(screen.getByText(/\(v1\.0\.0\)/)).toBeTruthy();
    next();

    const photo = (await screen.findByRole('checkbox', { name: /photo\.tif/ })) as HTMLInputElement;
    expect(photo.disabled).toBe(true);
    expect(screen.getByText('✗ type .tif not accepted')).toBeTruthy();
    expect((screen.getByRole('button', { name: 'Next: Parameters' }) as HTMLButtonElement).disabled).toBe(true);
    fireEvent.click(screen.getByRole('checkbox', { name: /counts\.csv/ }));
    next();

    const bins = screen.getByLabelText('bins') as HTMLInputElement;
    expect(bins.value).toBe('10');
    expect(bins.max).toBe('20');
    expect(document.getElementById(bins.getAttribute('aria-describedby')!.split(' ')[0])?.textContent).toBe('Histogram bins. From the template: at least 1, at most 20. Default 10.');
    fireEvent.input(bins, { target: { value: '25' } });
    expect(screen.getByText('bins must be at most 20')).toBeTruthy();
    expect((screen.getByRole('button', { name: 'Next: Machine' }) as HTMLButtonElement).disabled).toBe(true);
    fireEvent.input(bins, { target: { value: '12' } });
    expect([...(screen.getByLabelText('mode') as HTMLSelectElement).options].map((option) => option.value)).toEqual(['fast', 'exact']);
    next();

    fireEvent.click(screen.getByRole('radio', { name: 'GPU, turbo' }));
    next();
    fireEvent.click(screen.getByRole('button', { name: 'Start the job' }));
    await waitFor(() => expect(location.pathname).toBe('/jobs/job-42'));
    expect(stub.calls('POST', '/api/projects/p-1/jobs')[0].body).toEqual({ template: 'File Statistics@1.0.0', inputs: ['f-1'], parameters: { bins: 12 }, machine: { type: 'gpu', performance: 'turbo' } });
  });

  it('"Run a job on this file": the file comes chosen; a refusal of a parameter stands at its field', async () => {
    history.replaceState(null, '', '/labs/crystallography/projects/lysozyme/jobs/run?input=f-1&path=raw%2Fcounts.csv');
    const stub = platform();
    renderInConsole(<RunJobPage project={project} />, stub);
    await screen.findByLabelText('Version');
    next();
    expect(screen.getByText('raw/counts.csv')).toBeTruthy();
    expect(((await screen.findByRole('checkbox', { name: /counts\.csv/ })) as HTMLInputElement).checked).toBe(true);
    next();
    fireEvent.input(screen.getByLabelText('bins'), { target: { value: '13' } });
    next();
    next();
    fireEvent.click(screen.getByRole('button', { name: 'Start the job' }));
    const bins = await screen.findByLabelText('bins');
    expect(bins.getAttribute('aria-invalid')).toBe('true');
    expect(screen.getAllByText('is not allowed by the facility').length).toBeGreaterThan(0);
  });

  it('nested objects and arrays from the JSON Schema: items added and removed, fields grouped, each error at its field naming its path, and the refusal of a nested field there too', async () => {
    history.replaceState(null, '', '/labs/crystallography/projects/lysozyme/jobs/run?input=f-1&path=raw%2Fcounts.csv');
    const regions = {
      type: 'object',
      properties: {
        regions: {
          type: 'array',
          minItems: 1,
          maxItems: 2,
          description: 'Regions to integrate',
          items: { type: 'object', required: ['label', 'from'], properties: { label: { type: 'string', minLength: 1 }, from: { type: 'integer', minimum: 0 }, note: { type: 'string' } } },
        },
        output: { type: 'object', properties: { format: { enum: ['csv', 'json'], default: 'csv' }, precision: { type: 'integer', default: 3, maximum: 10 } } },
      },
      required: ['regions'],
    };
    const stub = stubPlatform({
      'GET /api/job-templates': { body: { items: [{ ...template('3.0.0', 50), parameters: regions }], nextCursor: null } },
      'GET /api/projects/p-1/files': { body: { folder: 'raw', folders: [], items: [file('f-1', 'raw/counts.csv')], nextCursor: null } },
      'POST /api/projects/p-1/jobs': ({ body }) =>
        (body as { parameters: { regions: { from: number }[] } }).parameters.regions[0].from === 13
          ? { status: 400, body: { type: 'urn:cairn:problem:validation', title: 'Bad Request', status: 400, detail: 'refused', rule: 'jobs.parameters-invalid', errors: [{ field: 'parameters.regions.0.from', message: 'is not allowed by the facility' }] } }
          : { status: 201, body: { id: 'job-43' } },
    });
    renderInConsole(<RunJobPage project={project} />, stub);
    await screen.findByLabelText('Version');
    next();
    await screen.findByRole('checkbox', { name: /counts\.csv/ });
    next();

    const list = screen.getByRole('group', { name: 'regions' });
    expect(list.textContent).toContain('No items.');
    expect(list.textContent).toContain('regions is required');
    expect((screen.getByRole('button', { name: 'Next: Machine' }) as HTMLButtonElement).disabled).toBe(true);
    fireEvent.click(screen.getByRole('button', { name: 'Add to regions' }));
    fireEvent.click(screen.getByRole('button', { name: 'Add to regions' }));
    expect((screen.getByRole('button', { name: 'Add to regions' }) as HTMLButtonElement).disabled).toBe(true);
    const first = screen.getByRole('group', { name: 'regions 1' });
    expect(within(first).getByText('regions.0.from is required')).toBeTruthy();
    fireEvent.input(within(first).getByLabelText('label'), { target: { value: 'peak' } });
    fireEvent.input(within(first).getByLabelText('from'), { target: { value: '-1' } });
    expect(within(first).getByText('regions.0.from must be at least 0')).toBeTruthy();
    fireEvent.click(screen.getByRole('button', { name: 'Remove regions 2' }));
    expect(screen.queryByRole('group', { name: 'regions 2' })).toBeNull();
    fireEvent.input(within(first).getByLabelText('from'), { target: { value: '13' } });
    const output = screen.getByRole('group', { name: 'output' });
    expect((within(output).getByLabelText('precision') as HTMLInputElement).value).toBe('3');
    fireEvent.input(within(output).getByLabelText('precision'), { target: { value: '4' } });
    next();
    next();
    fireEvent.click(screen.getByRole('button', { name: 'Start the job' }));
    expect(await screen.findByText('regions.0.from is not allowed by the facility')).toBeTruthy();
    expect(stub.calls('POST', '/api/projects/p-1/jobs')[0].body).toMatchObject({ parameters: { regions: [{ label: 'peak', from: 13 }], output: { precision: 4 } } });
  });
});
