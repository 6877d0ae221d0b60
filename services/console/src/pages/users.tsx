import { useState } from 'preact/hooks';
import { answer, type AccessSchemas } from '../api/client';
import { useConsole } from '../ui/context';
import { Table } from '../ui/table';
import { Button, Field, RoleOptions } from '../ui/forms';
import { Card, Empty, Loading, Time } from '../ui/layout';
import { usePeople } from '../ui/people';
import { PersonPicker, type DirectoryEntry } from '../ui/person-picker';
import { ProblemMessage } from '../ui/problem';
import { baseLevelRoles, useRoleSchemes, type RoleScheme } from '../ui/schemes';
import { useAction, useLoad } from '../ui/use-load';
import { capabilityWords, roleLabel } from '../words';
import { InvitationsCard } from './invitations';
import type { ProjectPage } from './project-shell';

type UsersPageAnswer = AccessSchemas['UsersPageDto'];
/** One kind of change with exactly the fields it takes, as the preview's document says. */
type Change = AccessSchemas['PreviewDto']['change'];
type Preview = AccessSchemas['AccessPreviewDto'];

/** A change the person is about to make, and who they are making it about (for the words). */
interface Pending {
  change: Change;
  about: string;
}

/** What the caller's role may do to explicit permissions, by the scheme's own grant rules. */
function grantsOf(scheme: RoleScheme | undefined, myRole: string | null) {
  const rule = scheme && myRole ? scheme.grantRules[myRole] : undefined;
  const exactlyOneOwner = scheme?.ownerCardinality === 'exactly-one';
  // The single owner is never given, changed or removed, only handed over.
  const usable = (roles: string[] | undefined) => (roles ?? []).filter((role) => !(exactlyOneOwner && role === scheme?.ownerRole));
  return {
    add: usable(rule?.add),
    change: usable(rule?.change),
    remove: usable(rule?.remove),
    canTransfer: exactlyOneOwner && myRole === scheme?.ownerRole && scheme?.ownershipTransfer !== null,
  };
}

function changeWords(change: Change, about: string): string {
  switch (change.kind) {
    case 'set-role':
      return `Give ${about} the ${roleLabel(change.role)} level`;
    case 'remove-role':
      return `Remove ${about}’s explicit permission`;
    case 'set-base-level':
      return `Change the base level to ${roleLabel(change.level)}`;
    case 'transfer-ownership':
      return `Hand ownership over to ${about}`;
  }
}

/** "Before saving, the preview of who gains or loses what"; saving cites the preview, so the audit keeps what was shown. */
function PreviewPanel({ projectId, pending, onDone, onCancel }: { projectId: string; pending: Pending; onDone(): Promise<void>; onCancel(): void }) {
  const { api } = useConsole();
  const [reason, setReason] = useState('');
  const preview = useLoad(() => answer(api.access.POST('/api/projects/{id}/access/preview', { params: { path: { id: projectId } }, body: { change: pending.change } })), [projectId, JSON.stringify(pending.change)]);
  const save = useAction(async (shown: Preview) => {
    const context = { ...(reason.trim() ? { reason: reason.trim() } : {}), previewId: shown.previewId };
    const path = { id: projectId };
    const { change } = pending;
    if (change.kind === 'set-role') await answer(api.access.PUT('/api/projects/{id}/access/users/{userRef}', { params: { path: { ...path, userRef: change.user! } }, body: { role: change.role!, ...context } }));
    else if (change.kind === 'remove-role') await answer(api.access.DELETE('/api/projects/{id}/access/users/{userRef}', { params: { path: { ...path, userRef: change.user! } }, body: context }));
    else if (change.kind === 'set-base-level') await answer(api.access.PUT('/api/projects/{id}/access/base-level', { params: { path }, body: { level: change.level!, ...context } }));
    else await answer(api.access.POST('/api/projects/{id}/access/transfer-ownership', { params: { path }, body: { to: change.to!, ...context } }));
    await onDone();
  });
  return (
    <Card title="Before you save" id="preview">
      <p>
        <strong>{changeWords(pending.change, pending.about)}.</strong> This is what it would change:
      </p>
      <ProblemMessage problem={preview.problem} />
      {preview.loading && !preview.data && <Loading what="the preview" />}
      {preview.data && preview.data.effects.length === 0 && <Empty>Nobody would gain or lose anything.</Empty>}
      {preview.data && preview.data.effects.length > 0 && (
        <ul class="effects">
          {preview.data.effects.map((effect) => (
            <li key={effect.user}>
              <p>
                <strong>{effect.displayName}</strong>: {roleLabel(effect.before)} → {roleLabel(effect.after)}
              </p>
              {effect.gained.length > 0 && <p class="gains">Gains: {effect.gained.map(capabilityWords).join(', ')}</p>}
              {effect.lost.length > 0 && <p class="losses">Loses: {effect.lost.map(capabilityWords).join(', ')}</p>}
            </li>
          ))}
        </ul>
      )}
      <form
        onSubmit={(event) => {
          event.preventDefault();
          if (preview.data) void save.run(preview.data);
        }}
      >
        <Field label="Reason (optional)" hint="Kept in the access history, with this preview.">
          {(control) => <input {...control} value={reason} maxLength={2000} onInput={(event) => setReason(event.currentTarget.value)} />}
        </Field>
        <ProblemMessage problem={save.problem} />
        <div class="form-actions">
          <Button type="submit" variant="primary" busy={save.busy} disabled={!preview.data}>
            Save change
          </Button>
          <Button onClick={onCancel}>Cancel</Button>
        </div>
      </form>
    </Card>
  );
}

/** A row's level picker: choosing a level and asking for the preview. */
function LevelChooser({ person, current, roles, onChoose, onCancel }: { person: string; current: string; roles: string[]; onChoose(role: string): void; onCancel(): void }) {
  const [role, setRole] = useState(roles.find((candidate) => candidate !== current) ?? current);
  return (
    <form
      class="inline-form"
      onSubmit={(event) => {
        event.preventDefault();
        onChoose(role);
      }}
    >
      <Field label={`New level for ${person}`}>
        {(control) => (
          <select {...control} value={role} onChange={(event) => setRole(event.currentTarget.value)}>
            <RoleOptions roles={roles} />
          </select>
        )}
      </Field>
      <Button type="submit" variant="primary" disabled={role === current}>
        Preview
      </Button>
      <Button onClick={onCancel}>Cancel</Button>
    </form>
  );
}

/**
 * "The users page for a project lists everyone with access to a project: first, anyone with an explicit
 * permission on the project, and then anyone else in the lab who has access via the base level."
 */
export function UsersPage({ project, reloadProject }: { project: ProjectPage; reloadProject(): Promise<void> }) {
  const { api, session } = useConsole();
  const { byName } = useRoleSchemes();
  const { nameOf } = usePeople(project.lab);
  const users = useLoad(() => answer(api.access.GET('/api/projects/{id}/access', { params: { path: { id: project.id } } })), [project.id]);
  const [editing, setEditing] = useState<string | undefined>();
  const [adding, setAdding] = useState(false);
  const [newPerson, setNewPerson] = useState<DirectoryEntry | undefined>();
  const [pending, setPending] = useState<Pending | undefined>();
  const page: UsersPageAnswer | undefined = users.data;
  const scheme = page ? byName(page.scheme) : undefined;
  const grants = grantsOf(scheme, project.you.role);
  const me = session.person.userId;
  const propose = (change: Change, about: string) => {
    setEditing(undefined);
    setAdding(false);
    setPending({ change, about });
  };
  const done = async () => {
    setPending(undefined);
    setNewPerson(undefined);
    await users.reload();
    await reloadProject();
  };
  const canAddAny = grants.add.length > 0;
  return (
    <>
      {page?.warnings.map((warning) => (
        <div key={warning.rule} class="tip" role="note">
          <strong>Tip:</strong> {warning.message}
        </div>
      ))}
      {pending && <PreviewPanel projectId={project.id} pending={pending} onDone={done} onCancel={() => setPending(undefined)} />}
      <ProblemMessage problem={users.problem} />
      {users.loading && !page && <Loading what="who has access" />}
      {page && (
        <>
          <Card
            title="Explicit permissions"
            id="explicit"
            actions={
              canAddAny &&
              !adding && (
                <Button variant="primary" onClick={() => setAdding(true)}>
                  Add permission
                </Button>
              )
            }
          >
            {adding && (
              <form
                class="add-permission inset"
                onSubmit={(event) => {
                  event.preventDefault();
                  const role = (event.currentTarget.elements.namedItem('role') as HTMLSelectElement).value;
                  if (newPerson) propose({ kind: 'set-role', user: newPerson.userId, role }, newPerson.displayName);
                }}
              >
                <PersonPicker lab={project.lab} label="Person" exclude={page.explicit.map((entry) => entry.user)} onPick={setNewPerson} />
                <Field label="Level">
                  {(control) => (
                    <select {...control} name="role">
                      <RoleOptions roles={grants.add} />
                    </select>
                  )}
                </Field>
                <div class="form-actions">
                  <Button type="submit" variant="primary" disabled={!newPerson}>
                    Preview
                  </Button>
                  <Button onClick={() => setAdding(false)}>Cancel</Button>
                </div>
              </form>
            )}
            <Table caption="People with an explicit permission" columns={['Person', 'Level', 'Given by', { label: 'Actions', hidden: true }]}>
                {page.explicit.map((entry) => {
                  const mine = entry.user === me;
                  const changeable = !mine && grants.change.includes(entry.role) && grants.change.length > 1;
                  const removable = !mine && grants.remove.includes(entry.role);
                  const transferable = grants.canTransfer && !mine && entry.role !== scheme?.ownerRole;
                  return (
                    <tr key={entry.user}>
                      <td>
                        <strong>{entry.displayName}</strong> <span class="muted">@{entry.username}</span>
                        {mine && <span class="badge badge-quiet">you</span>}
                      </td>
                      <td>
                        <span class="badge badge-role">{roleLabel(entry.role)}</span>
                      </td>
                      <td>
                        {nameOf(entry.grantedBy)}, <Time iso={entry.grantedAt} />
                      </td>
                      <td class="actions">
                        {editing === entry.user ? (
                          <LevelChooser person={entry.displayName} current={entry.role} roles={grants.change} onChoose={(role) => propose({ kind: 'set-role', user: entry.user, role }, entry.displayName)} onCancel={() => setEditing(undefined)} />
                        ) : (
                          <>
                            {changeable && (
                              <Button variant="quiet" onClick={() => setEditing(entry.user)} aria-label={`Change level of ${entry.displayName}`}>
                                Change level
                              </Button>
                            )}
                            {removable && (
                              <Button variant="quiet" onClick={() => propose({ kind: 'remove-role', user: entry.user }, entry.displayName)} aria-label={`Remove ${entry.displayName}’s permission`}>
                                Remove
                              </Button>
                            )}
                            {transferable && (
                              <Button variant="quiet" onClick={() => propose({ kind: 'transfer-ownership', to: entry.user }, entry.displayName)} aria-label={`Make owner: ${entry.displayName}`}>
                                Make owner
                              </Button>
                            )}
                            {mine && <span class="muted small">You cannot remove your own permission.</span>}
                          </>
                        )}
                      </td>
                    </tr>
                  );
                })}
              </Table>
          </Card>
          {scheme?.invitesByEmail && canAddAny && <InvitationsCard projectId={project.id} roles={grants.add} nameOf={nameOf} onChanged={done} />}
          {scheme?.hasBaseLevel && (
            <Card title={`Through the base level (${roleLabel(page.baseLevel)})`} id="base-level">
              <p class="muted">
                Everyone in the lab without an explicit permission has the base level. It is changed for the whole project, not here per person; “Change level” gives
                someone an explicit permission instead.
              </p>
              {project.you.capabilities.includes('base-level.manage') && (
                <BaseLevelChooser scheme={scheme} current={page.baseLevel} onChoose={(level) => propose({ kind: 'set-base-level', level }, 'the lab')} />
              )}
              {page.viaBaseLevel.length === 0 ? (
                <Empty>Nobody has access through the base level.</Empty>
              ) : (
                <Table caption="Lab members with access through the base level" columns={['Person', 'Level', { label: 'Actions', hidden: true }]}>
                    {page.viaBaseLevel.map((entry) => (
                      <tr key={entry.user}>
                        <td>
                          <strong>{entry.displayName}</strong> <span class="muted">@{entry.username}</span>
                          {entry.user === me && <span class="badge badge-quiet">you</span>}
                        </td>
                        <td>
                          <span class="badge badge-role">{roleLabel(entry.role)}</span> <span class="muted small">base level</span>
                        </td>
                        <td class="actions">
                          {editing === entry.user ? (
                            <LevelChooser person={entry.displayName} current={entry.role} roles={grants.add} onChoose={(role) => propose({ kind: 'set-role', user: entry.user, role }, entry.displayName)} onCancel={() => setEditing(undefined)} />
                          ) : (
                            canAddAny &&
                            entry.user !== me && (
                              <Button variant="quiet" onClick={() => setEditing(entry.user)} aria-label={`Change level of ${entry.displayName}`}>
                                Change level
                              </Button>
                            )
                          )}
                        </td>
                      </tr>
                    ))}
                  </Table>
              )}
            </Card>
          )}
        </>
      )}
    </>
  );
}

function BaseLevelChooser({ scheme, current, onChoose }: { scheme: RoleScheme; current: string | null; onChoose(level: string): void }) {
  const [level, setLevel] = useState(current ?? baseLevelRoles(scheme)[0]);
  return (
    <form
      class="inline-form"
      onSubmit={(event) => {
        event.preventDefault();
        onChoose(level);
      }}
    >
      <Field label="Base level for the whole lab">
        {(control) => (
          <select {...control} value={level} onChange={(event) => setLevel(event.currentTarget.value)}>
            <RoleOptions roles={baseLevelRoles(scheme)} />
          </select>
        )}
      </Field>
      <Button type="submit" disabled={level === current}>
        Preview base level change
      </Button>
    </form>
  );
}
