import { roleSchemes } from '@cairn/contracts';
import { fireEvent, screen, waitFor } from '@testing-library/preact';
import { renderInConsole, stubPlatform } from '../testing/console-harness';
import { NewProjectForm } from './projects';

const schemes = Object.values(roleSchemes) as never;

function form() {
  const created: string[] = [];
  const stub = stubPlatform({
    'POST /api/projects': ({ body }) => ({ status: 201, body: { id: 'p-9', ...(body as object), slug: (body as { slug?: string }).slug ?? 'lysozyme-2026-2', status: 'active', createdBy: 'u-bob', description: '' } }),
  });
  renderInConsole(<NewProjectForm lab="crystallography" schemes={schemes} onCancel={() => undefined} onCreated={(slug) => created.push(slug)} />, stub);
  return { stub, created };
}

describe('the create project form (docs/requirements.md L-5, L-6, L-7)', () => {
  it('"the slug will be auto-generated from the name": previewed as you type, and left to the service to make unique', async () => {
    const { stub, created } = form();
    fireEvent.input(screen.getByLabelText('Name'), { target: { value: 'Lysozyme 2026!' } });
    expect((screen.getByLabelText('Slug') as HTMLInputElement).value).toBe('lysozyme-2026');
    expect(document.querySelector('.slug-preview')?.textContent).toBe('/labs/crystallography/projects/lysozyme-2026');
    fireEvent.input(screen.getByLabelText('Name'), { target: { value: 'Crème Brûlée — Straße' } });
    expect((screen.getByLabelText('Slug') as HTMLInputElement).value).toBe('creme-brulee-strasse');
    fireEvent.submit(screen.getByRole('button', { name: 'Create project' }).closest('form')!);
    await waitFor(() => expect(created).toEqual(['lysozyme-2026-2']));
    expect(stub.calls('POST', '/api/projects')[0].body).toEqual({ lab: 'crystallography', name: 'Crème Brûlée — Straße', scheme: 'facility' });
  });

  it('"you have an opportunity to edit it": an edited slug stays, is checked as you type, and is sent', async () => {
    const { stub } = form();
    fireEvent.input(screen.getByLabelText('Name'), { target: { value: 'Lysozyme 2026' } });
    fireEvent.input(screen.getByLabelText('Slug'), { target: { value: 'Lyso 26' } });
    expect(screen.getByText('may contain only lower-case letters a-z, digits and single hyphens between them')).toBeTruthy();
    expect((screen.getByRole('button', { name: 'Create project' }) as HTMLButtonElement).disabled).toBe(true);
    fireEvent.input(screen.getByLabelText('Slug'), { target: { value: 'lyso-26' } });
    fireEvent.input(screen.getByLabelText('Name'), { target: { value: 'Lysozyme 2026 — phasing' } });
    expect((screen.getByLabelText('Slug') as HTMLInputElement).value).toBe('lyso-26');
    fireEvent.submit(screen.getByRole('button', { name: 'Create project' }).closest('form')!);
    await waitFor(() => expect(stub.calls('POST', '/api/projects')).toHaveLength(1));
    expect(stub.calls('POST', '/api/projects')[0].body).toMatchObject({ slug: 'lyso-26' });
  });

  it('"you can choose the base level for the project": offered for the lab scheme only, its levels from the scheme, below owner (which the service refuses)', async () => {
    const { stub } = form();
    expect(screen.queryByLabelText('Base level')).toBeNull();
    fireEvent.change(screen.getByRole('radio', { name: /Lab/ }), { target: { checked: true } });
    const level = screen.getByLabelText('Base level') as HTMLSelectElement;
    expect([...level.options].map((option) => option.textContent)).toEqual(['None', 'Viewer', 'Commenter', 'Experimenter']);
    expect(level.value).toBe('none');
    fireEvent.change(level, { target: { value: 'viewer' } });
    fireEvent.input(screen.getByLabelText('Name'), { target: { value: 'Shared stacks' } });
    fireEvent.submit(level.closest('form')!);
    await waitFor(() => expect(stub.calls('POST', '/api/projects')).toHaveLength(1));
    expect(stub.calls('POST', '/api/projects')[0].body).toEqual({ lab: 'crystallography', name: 'Shared stacks', scheme: 'lab', baseLevel: 'viewer' });
  });

  it('a refusal names the field it is about, beside that field', async () => {
    const stub = stubPlatform({
      'POST /api/projects': { status: 400, body: { type: 'urn:cairn:problem:validation', title: 'Bad Request', status: 400, detail: 'name: is too long', rule: 'validation', errors: [{ field: 'name', message: 'must be at most 120 characters' }] } },
    });
    renderInConsole(<NewProjectForm lab="crystallography" schemes={schemes} onCancel={() => undefined} onCreated={() => undefined} />, stub);
    fireEvent.input(screen.getByLabelText('Name'), { target: { value: 'x'.repeat(30) } });
    fireEvent.submit(screen.getByRole('button', { name: 'Create project' }).closest('form')!);
    await screen.findByRole('alert');
    expect(screen.getByLabelText('Name').getAttribute('aria-invalid')).toBe('true');
    expect(screen.getAllByText('must be at most 120 characters').length).toBe(1);
  });
});
