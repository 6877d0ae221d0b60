import { useState } from 'preact/hooks';
import { answer } from '../api/client';
import { Link, navigate } from '../router';
import { useConsole } from '../ui/context';
import { Button, Field } from '../ui/forms';
import { Card, Empty, Loading, PageHeader } from '../ui/layout';
import { fieldProblem, ProblemMessage } from '../ui/problem';
import { useAction, useLoad } from '../ui/use-load';

/** Facility admins create labs (tenants); the creator becomes the lab's first admin. */
function NewLabForm({ onCancel }: { onCancel(): void }) {
  const { api } = useConsole();
  const [name, setName] = useState('');
  const create = useAction(async () => {
    const lab = await answer(api.access.POST('/api/labs', { body: { name } }));
    navigate(`/labs/${lab.slug}/members`);
  });
  return (
    <Card title="New lab" id="new-lab">
      <form
        onSubmit={(event) => {
          event.preventDefault();
          void create.run();
        }}
      >
        <ProblemMessage problem={create.problem} />
        <Field label="Name" error={fieldProblem(create.problem, 'name')} hint="The lab's URL name is made from it.">
          {(control) => <input {...control} value={name} required maxLength={200} onInput={(event) => setName(event.currentTarget.value)} />}
        </Field>
        <div class="form-actions">
          <Button type="submit" variant="primary" busy={create.busy}>
            Create lab
          </Button>
          <Button onClick={onCancel}>Cancel</Button>
        </div>
      </form>
    </Card>
  );
}

/** The labs the person belongs to (every lab for a facility admin): the way into their projects. */
export function LabsPage() {
  const { api, session } = useConsole();
  const [creating, setCreating] = useState(false);
  const labs = useLoad(() => answer(api.access.GET('/api/labs', { params: { query: { limit: 500 } } })), []);
  return (
    <>
      <PageHeader
        title="Your labs"
        subtitle="Projects live in labs. Open a lab to see its projects and members."
        actions={
          session.person.facilityAdmin && !creating && (
            <Button variant="primary" onClick={() => setCreating(true)}>
              New lab
            </Button>
          )
        }
      />
      {creating && <NewLabForm onCancel={() => setCreating(false)} />}
      <ProblemMessage problem={labs.problem} />
      {labs.loading && !labs.data && <Loading what="your labs" />}
      {labs.data && labs.data.items.length === 0 && (
        <Card>
          <Empty>
            You are not in a lab yet. A lab admin adds you by your username, <strong>{session.person.username}</strong>
            {session.person.email ? (
              <>
                {' '}
                or your e-mail, <strong>{session.person.email}</strong>
              </>
            ) : null}
            .
          </Empty>
        </Card>
      )}
      {labs.data && labs.data.items.length > 0 && (
        <ul class="tiles">
          {labs.data.items.map((lab) => (
            <li key={lab.id} class="tile">
              <h2>
                <Link href={`/labs/${lab.slug}/projects`}>{lab.name}</Link>
              </h2>
              <p class="muted">
                {lab.slug}
                {lab.admin && <span class="badge">lab admin</span>}
              </p>
              <p>
                <Link href={`/labs/${lab.slug}/members`}>Members</Link>
              </p>
            </li>
          ))}
        </ul>
      )}
    </>
  );
}
