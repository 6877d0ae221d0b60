import { slugify, slugProblem } from '@cairn/contracts/slug';
import { useState } from 'preact/hooks';
import { answer, type CreateProjectBody, type ProjectsSchemas } from '../api/client';
import { Link, navigate } from '../router';
import { useConsole } from '../ui/context';
import { Table } from '../ui/table';
import { Button, Field, RoleOptions } from '../ui/forms';
import { Card, Empty, Loading, PageHeader, Time } from '../ui/layout';
import { fieldProblem, ProblemMessage } from '../ui/problem';
import { baseLevelRoles, schemeWords, useRoleSchemes, type RoleScheme } from '../ui/schemes';
import { useLabs } from '../ui/labs';
import { useAction, useLoad } from '../ui/use-load';
import { roleLabel } from '../words';
import { LabNav } from './lab-nav';

/** The schemes the projects service takes; which exist is the access service's data (GET /api/role-schemes). */
type SchemeName = ProjectsSchemas['CreateProjectDto']['scheme'];

/**
 * "From the project creation form, you can name the project and write a description. The slug - used
 * in the URL - will be auto-generated from the name, but you have an opportunity to edit it at
 * creation if you'd like. Finally, you can choose the base level for the project."
 */
export function NewProjectForm({ lab, schemes, onCancel, onCreated }: { lab: string; schemes: RoleScheme[]; onCancel(): void; onCreated(slug: string): void }) {
  const { api } = useConsole();
  const [name, setName] = useState('');
  const [description, setDescription] = useState('');
  const [editedSlug, setEditedSlug] = useState<string | undefined>();
  const [schemeName, setSchemeName] = useState<SchemeName>((schemes[0]?.name as SchemeName | undefined) ?? 'facility');
  const scheme = schemes.find((candidate) => candidate.name === schemeName);
  const [baseLevel, setBaseLevel] = useState<string | undefined>();
  const slug = editedSlug ?? (name.trim() === '' ? '' : slugify(name));
  const slugIssue = slug === '' ? undefined : slugProblem(slug);
  const chosenBaseLevel = scheme?.hasBaseLevel ? (baseLevel ?? scheme.defaultBaseLevel ?? undefined) : undefined;
  const create = useAction(async () => {
    const created = await answer(
      api.projects.POST('/api/projects', {
        body: {
          lab,
          name,
          ...(description.trim() ? { description } : {}),
          // Unedited, the service makes the slug (and makes it unique in the lab).
          ...(editedSlug !== undefined ? { slug: editedSlug } : {}),
          scheme: schemeName,
          ...(chosenBaseLevel ? { baseLevel: chosenBaseLevel } : {}),
          // The level is one of the chosen scheme's (chosenBaseLevel), a pairing the compiler cannot follow.
        } as CreateProjectBody,
      }),
    );
    onCreated(created.slug);
  });
  return (
    <Card title="New project" id="new-project">
      <form
        onSubmit={(event) => {
          event.preventDefault();
          void create.run();
        }}
      >
        <ProblemMessage problem={create.problem} />
        <Field label="Name" hint="Name projects clearly: dataset, date and purpose." error={fieldProblem(create.problem, 'name')}>
          {(control) => <input {...control} value={name} required maxLength={120} onInput={(event) => setName(event.currentTarget.value)} />}
        </Field>
        <Field label="Description" hint="Markdown." error={fieldProblem(create.problem, 'description')}>
          {(control) => <textarea {...control} rows={3} value={description} onInput={(event) => setDescription(event.currentTarget.value)} />}
        </Field>
        <Field
          label="Slug"
          hint={
            <span aria-live="polite">
              {slug ? (
                <>
                  The project’s URL: <code class="slug-preview">/labs/{lab}/projects/{slug}</code>
                  {editedSlug === undefined && ' (made from the name; a number is added if the lab has it already)'}
                </>
              ) : (
                'Made from the name as you type; you can edit it.'
              )}
            </span>
          }
          error={slugIssue ?? fieldProblem(create.problem, 'slug')}
        >
          {(control) => <input {...control} value={slug} maxLength={60} onInput={(event) => setEditedSlug(event.currentTarget.value)} spellcheck={false} autoComplete="off" />}
        </Field>
        <fieldset class="field">
          <legend>Sharing scheme</legend>
          {schemes.map((candidate) => (
            <label key={candidate.name} class="choice">
              <input type="radio" name="scheme" value={candidate.name} checked={candidate.name === schemeName} onChange={() => setSchemeName(candidate.name as SchemeName)} />
              <span>
                <strong>{schemeWords(candidate.name).title}</strong> <span class="muted">{schemeWords(candidate.name).summary}</span>
              </span>
            </label>
          ))}
        </fieldset>
        {scheme?.hasBaseLevel && (
          <Field label="Base level" hint="The default access level for anybody in the lab." error={fieldProblem(create.problem, 'baseLevel')}>
            {(control) => (
              <select {...control} value={chosenBaseLevel} onChange={(event) => setBaseLevel(event.currentTarget.value)}>
                <RoleOptions roles={baseLevelRoles(scheme)} />
              </select>
            )}
          </Field>
        )}
        <div class="form-actions">
          <Button type="submit" variant="primary" busy={create.busy} disabled={slugIssue !== undefined}>
            Create project
          </Button>
          <Button onClick={onCancel}>Cancel</Button>
        </div>
      </form>
    </Card>
  );
}

/** "The lab's project page lists all the projects in a lab, and the button top right lets you make a new one." */
export function ProjectsPage({ lab }: { lab: string }) {
  const { api } = useConsole();
  const [creating, setCreating] = useState(false);
  const [filter, setFilter] = useState('');
  const { schemes, problem: schemesProblem } = useRoleSchemes();
  const { lab: thisLab } = useLabs(lab);
  const projects = useLoad(() => answer(api.projects.GET('/api/projects', { params: { query: { lab, limit: 200, ...(filter.trim() ? { q: filter.trim() } : {}) } } })), [lab, filter]);
  return (
    <>
      <PageHeader
        title="Projects"
        eyebrow={
          <>
            <Link href="/labs">Labs</Link> / {thisLab?.name ?? lab}
          </>
        }
        actions={
          !creating && (
            <Button variant="primary" onClick={() => setCreating(true)}>
              New project
            </Button>
          )
        }
      />
      <LabNav lab={lab} current="projects" />
      <ProblemMessage problem={schemesProblem} />
      {creating && schemes.length > 0 && <NewProjectForm lab={lab} schemes={schemes} onCancel={() => setCreating(false)} onCreated={(slug) => navigate(`/labs/${lab}/projects/${slug}`)} />}
      <Card>
        <form class="toolbar" role="search" onSubmit={(event) => event.preventDefault()}>
          <Field label="Filter projects">
            {(control) => <input {...control} type="search" value={filter} placeholder="Name or slug begins with…" onInput={(event) => setFilter(event.currentTarget.value)} />}
          </Field>
        </form>
        <ProblemMessage problem={projects.problem} />
        {projects.loading && !projects.data && <Loading what="projects" />}
        {projects.data && projects.data.items.length === 0 && <Empty>{filter ? 'No project of this lab that you can see matches.' : 'No project you can see yet. Make a new one: they are as useful for your own work as for collaborating.'}</Empty>}
        {projects.data && projects.data.items.length > 0 && (
          <Table caption="Projects of the lab you can see" columns={['Project', 'Scheme', 'Base level', 'Updated']}>
              {projects.data.items.map((project) => (
                <tr key={project.id}>
                  <td>
                    <Link href={`/labs/${lab}/projects/${project.slug}`}>{project.name}</Link>
                    <div class="muted small">{project.slug}</div>
                  </td>
                  <td>{schemeWords(project.scheme).title}</td>
                  <td>{project.baseLevel ? roleLabel(project.baseLevel) : '—'}</td>
                  <td>
                    <Time iso={project.updatedAt} />
                  </td>
                </tr>
              ))}
            </Table>
        )}
      </Card>
    </>
  );
}
