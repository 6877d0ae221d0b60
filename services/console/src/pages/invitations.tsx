import { useState } from 'preact/hooks';
import { answer, type AccessSchemas } from '../api/client';
import { useConsole } from '../ui/context';
import { Button, Field, RoleOptions } from '../ui/forms';
import { Card, Empty, Loading, Time } from '../ui/layout';
import { ProblemMessage } from '../ui/problem';
import { Table } from '../ui/table';
import { useAction, useLoad } from '../ui/use-load';
import { roleLabel } from '../words';

type Invitation = AccessSchemas['InvitationDto'];

/** Where a pending invitation stands, in words. */
export function invitationState(invitation: Pick<Invitation, 'ambiguous'>): string {
  return invitation.ambiguous
    ? 'Waiting: more than one person has signed in with this address, so it goes to neither until only one holds it.'
    : 'Pending until someone signs in with this address, verified by their identity provider.';
}

/**
 * "Add people via their username or e-mail adress", for an address nobody has signed in with yet: the
 * invitation waits, and its level is given when that address signs in. Shown to those who may give levels.
 */
export function InvitationsCard({ projectId, roles, nameOf, onChanged }: { projectId: string; roles: string[]; nameOf(userId: string): string; onChanged(): Promise<void> }) {
  const { api } = useConsole();
  const path = { id: projectId };
  const invitations = useLoad(() => answer(api.access.GET('/api/projects/{id}/access/invitations', { params: { path } })), [projectId]);
  const [inviting, setInviting] = useState(false);
  const [email, setEmail] = useState('');
  const [role, setRole] = useState(roles[0]);
  const [reason, setReason] = useState('');
  const [sent, setSent] = useState<string | undefined>();
  const invite = useAction(async () => {
    const outcome = await answer(
      api.access.POST('/api/projects/{id}/access/invitations', { params: { path }, body: { email: email.trim(), role, ...(reason.trim() ? { reason: reason.trim() } : {}) } }),
    );
    setSent(
      outcome.accepted
        ? `${outcome.email} had signed in already: ${nameOf(outcome.user ?? '')} has the ${roleLabel(outcome.role)} level now.`
        : `${outcome.email} is invited as ${roleLabel(outcome.role)}. ${invitationState(outcome)}`,
    );
    setInviting(false);
    setEmail('');
    setReason('');
    await invitations.reload();
    await onChanged();
  });
  const withdraw = useAction(async (invitation: Invitation) => {
    await answer(api.access.DELETE('/api/projects/{id}/access/invitations/{invitation}', { params: { path: { ...path, invitation: invitation.invitation } }, body: {} }));
    setSent(`The invitation of ${invitation.email} is withdrawn.`);
    await invitations.reload();
  });
  const items = invitations.data?.items ?? [];
  return (
    <Card
      title="Invitations by e-mail"
      id="invitations"
      actions={
        !inviting && (
          <Button variant="primary" onClick={() => setInviting(true)}>
            Invite by e-mail
          </Button>
        )
      }
    >
      {sent && (
        <p class="tip" role="status">
          {sent}
        </p>
      )}
      {inviting && (
        <form
          class="add-permission inset"
          onSubmit={(event) => {
            event.preventDefault();
            void invite.run();
          }}
        >
          <Field label="E-mail address" hint="Someone who may never have signed in to Cairn. The level is given when they sign in with this address.">
            {(control) => <input {...control} type="email" required maxLength={254} value={email} onInput={(event) => setEmail(event.currentTarget.value)} />}
          </Field>
          <Field label="Level">
            {(control) => (
              <select {...control} value={role} onChange={(event) => setRole(event.currentTarget.value)}>
                <RoleOptions roles={roles} />
              </select>
            )}
          </Field>
          <Field label="Reason (optional)" hint="Kept in the access history.">
            {(control) => <input {...control} value={reason} maxLength={2000} onInput={(event) => setReason(event.currentTarget.value)} />}
          </Field>
          <ProblemMessage problem={invite.problem} />
          <div class="form-actions">
            <Button type="submit" variant="primary" busy={invite.busy} disabled={!email.trim()}>
              Send invitation
            </Button>
            <Button onClick={() => setInviting(false)}>Cancel</Button>
          </div>
        </form>
      )}
      <ProblemMessage problem={invitations.problem ?? withdraw.problem} />
      {invitations.loading && !invitations.data && <Loading what="pending invitations" />}
      {invitations.data && items.length === 0 && <Empty>No invitation is pending.</Empty>}
      {items.length > 0 && (
        <Table caption="Pending invitations" columns={['E-mail', 'Level', 'Invited by', 'State', { label: 'Actions', hidden: true }]}>
          {items.map((invitation) => (
            <tr key={invitation.invitation}>
              <td>
                <strong>{invitation.email}</strong>
              </td>
              <td>
                <span class="badge badge-role">{roleLabel(invitation.role)}</span>
              </td>
              <td>
                {nameOf(invitation.invitedBy)}, <Time iso={invitation.invitedAt} />
              </td>
              <td class="small">{invitationState(invitation)}</td>
              <td class="actions">
                {roles.includes(invitation.role) && (
                  <Button variant="quiet" busy={withdraw.busy} onClick={() => void withdraw.run(invitation)} aria-label={`Withdraw the invitation of ${invitation.email}`}>
                    Withdraw
                  </Button>
                )}
              </td>
            </tr>
          ))}
        </Table>
      )}
    </Card>
  );
}
