import { useState } from 'preact/hooks';
import { answer } from '../api/client';
import { Link } from '../router';
import { useConsole } from '../ui/context';
import { Table } from '../ui/table';
import { Button, Field } from '../ui/forms';
import { Card, Loading, PageHeader } from '../ui/layout';
import { fieldProblem, ProblemMessage } from '../ui/problem';
import { useLabs } from '../ui/labs';
import { useAction, useLoad } from '../ui/use-load';
import { LabNav } from './lab-nav';

/** A lab's members; its admins add people (by username or e-mail, once they have signed in) and remove them. */
export function LabMembersPage({ lab }: { lab: string }) {
  const { api, session } = useConsole();
  const [user, setUser] = useState('');
  const { lab: thisLab } = useLabs(lab);
  const members = useLoad(() => answer(api.access.GET('/api/labs/{lab}/members', { params: { path: { lab }, query: { limit: 500 } } })), [lab]);
  const isAdmin = thisLab?.admin ?? false;
  const add = useAction(async () => {
    await answer(api.access.POST('/api/labs/{lab}/members', { params: { path: { lab } }, body: { user: user.trim() } }));
    setUser('');
    await members.reload();
  });
  const remove = useAction(async (userId: string) => {
    await answer(api.access.DELETE('/api/labs/{lab}/members/{userRef}', { params: { path: { lab, userRef: userId } }, body: {} }));
    await members.reload();
  });
  return (
    <>
      <PageHeader
        title="Members"
        eyebrow={
          <>
            <Link href="/labs">Labs</Link> / {thisLab?.name ?? lab}
          </>
        }
      />
      <LabNav lab={lab} current="members" />
      {isAdmin && (
        <Card title="Add a member" id="add-member">
          <form
            class="inline-form"
            onSubmit={(event) => {
              event.preventDefault();
              void add.run();
            }}
          >
            <Field label="Username or e-mail" hint="People can be added once they have signed in to Cairn." error={fieldProblem(add.problem, 'user')}>
              {(control) => <input {...control} value={user} required onInput={(event) => setUser(event.currentTarget.value)} />}
            </Field>
            <Button type="submit" variant="primary" busy={add.busy}>
              Add to lab
            </Button>
          </form>
          <ProblemMessage problem={add.problem} />
        </Card>
      )}
      <Card>
        <ProblemMessage problem={members.problem ?? remove.problem} />
        {members.loading && !members.data && <Loading what="members" />}
        {members.data && (
          <Table caption="Members of the lab" columns={['Name', 'Username', 'E-mail', 'Lab admin', ...(isAdmin ? [{ label: 'Actions', hidden: true }] : [])]}>
              {members.data.items.map((member) => (
                <tr key={member.userId}>
                  <td>{member.displayName}</td>
                  <td>@{member.username}</td>
                  <td>{member.email ?? '—'}</td>
                  <td>{member.admin ? 'Yes' : 'No'}</td>
                  {isAdmin && (
                    <td class="actions">
                      {member.userId !== session.person.userId && (
                        <Button variant="quiet" busy={remove.busy} onClick={() => void remove.run(member.userId)} aria-label={`Remove ${member.displayName} from the lab`}>
                          Remove
                        </Button>
                      )}
                    </td>
                  )}
                </tr>
              ))}
            </Table>
        )}
      </Card>
    </>
  );
}
