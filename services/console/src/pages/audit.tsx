import { useState } from 'preact/hooks';
import { answer, type AccessSchemas } from '../api/client';
import { downloadAuditBundle } from '../api/download';
import { useConsole } from '../ui/context';
import { Table } from '../ui/table';
import { Button, Field } from '../ui/forms';
import { Card, Empty, exactTime, Loading } from '../ui/layout';
import { usePeople } from '../ui/people';
import { ProblemMessage } from '../ui/problem';
import { useAction, useLoad } from '../ui/use-load';
import { capabilityWords, roleLabel, type NameOf } from '../words';
import type { ProjectPage } from './project-shell';

type AuditEntry = AccessSchemas['AuditEntryDto'];
type Verification = AccessSchemas['ChainVerificationDto'];

/** People as the answer names them (as the lab directory knew them then), else as the lab knows them now. */
function namedBy(names: Record<string, { displayName: string }>, fallback: NameOf, me: string): NameOf {
  return (userId) => (userId && userId !== me && names[userId]?.displayName) || fallback(userId);
}

function subjectWords(entry: AuditEntry, nameOf: NameOf): string {
  const people = entry.users.map(nameOf).join(', ');
  switch (entry.subject) {
    case 'role':
      return entry.type === 'access.project.initialized.v1' ? `${people}: project created` : `${people}: explicit permission`;
    case 'base-level':
      return entry.type === 'access.project.initialized.v1' ? 'Base level set at creation' : 'Base level';
    case 'ownership':
      return `Ownership: ${people}`;
    case 'lab-membership':
      return `${people}: lab membership`;
    default:
      return entry.subject;
  }
}

function value(subject: AuditEntry['subject'], text: string | null): string {
  if (subject === 'lab-membership') return text === null ? 'not in the lab' : 'in the lab';
  return roleLabel(text);
}

/** The verdict of `audit verify`, in words. */
function VerificationVerdict({ verification }: { verification: Verification }) {
  if (verification.intact) {
    return (
      <div class="verdict verdict-ok" role="status">
        <p>
          <strong>The access history is intact.</strong> All {verification.length} recorded changes are in the order they were made, each sealed with the hash of the one before
          it: nothing was altered, removed or slipped in afterwards.
        </p>
        <p class="muted small">{verification.summary}</p>
        <SignatureState verification={verification} />
      </div>
    );
  }
  return (
    <div class="verdict verdict-broken" role="alert">
      <p>
        <strong>The access history has been altered.</strong> Change #{verification.brokenAt} ({verification.type}){' '}
        {verification.problem === 'hash-mismatch' ? 'no longer matches the hash it was sealed with' : 'does not follow from the change before it'}. What it and later changes say cannot be trusted.
      </p>
      <p class="muted small">{verification.summary}</p>
      <SignatureState verification={verification} />
    </div>
  );
}

/**
 * Whether the chain heads an exported bundle carries are signed, and by which key, as the access service
 * checked them; and per stream, whether the access service signed its events as it committed them, which
 * the export's signature cannot tell.
 */
function SignatureState({ verification }: { verification: Pick<Verification, 'signatures' | 'signedAtWrite'> }) {
  return (
    <>
      <p class="signature-state">
        <strong>Signatures:</strong> {verification.signatures}
      </p>
      {verification.signedAtWrite.length > 0 && (
        <div class="signature-state">
          <p>
            <strong>Signed as committed:</strong>
          </p>
          <ul>
            {verification.signedAtWrite.map((words) => (
              <li key={words}>{words}</li>
            ))}
          </ul>
        </div>
      )}
    </>
  );
}

/** What a change's actor was shown before saving it, from the event store. */
function PreviewShown({ project, previewId, nameOf }: { project: string; previewId: string; nameOf: NameOf }) {
  const { api } = useConsole();
  const shown = useLoad(() => answer(api.access.GET('/api/audit/access/previews/{previewId}', { params: { path: { previewId }, query: { project } } })), [previewId]);
  if (shown.problem) return <ProblemMessage problem={shown.problem} />;
  if (!shown.data) return <Loading what="the preview" />;
  return (
    <ul class="effects effects-compact">
      {shown.data.effects.map((effect) => (
        <li key={effect.user}>
          {nameOf(effect.user)}: {roleLabel(effect.before)} → {roleLabel(effect.after)}
          {effect.gained.length > 0 && <span class="gains"> · gains {effect.gained.map(capabilityWords).join(', ')}</span>}
          {effect.lost.length > 0 && <span class="losses"> · loses {effect.lost.map(capabilityWords).join(', ')}</span>}
        </li>
      ))}
    </ul>
  );
}

/** `datetime-local` holds a local time without offset; the API wants an instant. */
const instantOf = (local: string) => new Date(local).toISOString();
const localNow = () => {
  const now = new Date();
  now.setMinutes(now.getMinutes() - now.getTimezoneOffset());
  return now.toISOString().slice(0, 16);
};

/**
 * The auditor's view: the access timeline (who, what, before and after, reason, and the preview shown),
 * who had which role at any instant and why, and whether the history is the one that was written.
 */
export function AuditPage({ project }: { project: ProjectPage }) {
  const { api, session } = useConsole();
  const { nameOf } = usePeople(project.lab);
  const [openPreview, setOpenPreview] = useState<string | undefined>();
  const [asOf, setAsOf] = useState(localNow);
  const timeline = useLoad(() => answer(api.access.GET('/api/audit/access', { params: { query: { project: project.id, limit: 500 } } })), [project.id]);
  const verification = useLoad(() => answer(api.access.GET('/api/audit/access/verify', { params: { query: { project: project.id } } })), [project.id]);
  const at = useAction((instant: string) => answer(api.access.GET('/api/audit/access/at', { params: { query: { project: project.id, at: instant } } })));
  const [answerAt, setAnswerAt] = useState<AccessSchemas['AccessAtDto'] | undefined>();
  const ask = async () => setAnswerAt(await at.run(instantOf(asOf)));
  const exportBundle = useAction(() => downloadAuditBundle(api, project.id, instantOf(asOf)));
  const entries = [...(timeline.data?.items ?? [])].reverse();
  return (
    <>
      <Card title="Is the history intact?" id="verify">
        <ProblemMessage problem={verification.problem} />
        {verification.loading && !verification.data && <Loading what="the verification" />}
        {verification.data && <VerificationVerdict verification={verification.data} />}
        <p>
          An auditor can check the history away from Cairn: the audit bundle holds every event that decides access to this project, their chain, its signed
          heads and the public key, and who had access as of the date and time below. <code>npm run cairn -- audit verify-bundle FILE</code> checks it offline.
        </p>
        <Button onClick={() => void exportBundle.run()} busy={exportBundle.busy}>
          Export audit bundle
        </Button>
        <ProblemMessage problem={exportBundle.problem} />
      </Card>
      <Card title="Who had access, as of" id="as-of">
        <form
          class="inline-form"
          onSubmit={(event) => {
            event.preventDefault();
            void ask();
          }}
        >
          <Field label="Date and time (your time zone)">
            {(control) => <input {...control} type="datetime-local" step={1} value={asOf} required onInput={(event) => setAsOf(event.currentTarget.value)} />}
          </Field>
          <Button type="submit" variant="primary" busy={at.busy}>
            Show access then
          </Button>
        </form>
        <ProblemMessage problem={at.problem} />
        {answerAt && (
          <div class="as-of-answer" aria-live="polite">
            <h3>On {exactTime(answerAt.at)}</h3>
            {!answerAt.existed ? (
              <Empty>The project did not exist yet: nobody had access.</Empty>
            ) : (
              <Table caption="Who had which role then, and why" columns={['Person', 'Role', 'Why']}>
                  {answerAt.people.map((person) => (
                    <tr key={person.user}>
                      <td>{namedBy(answerAt.names, nameOf, session.person.userId)(person.user)}</td>
                      <td>
                        <span class="badge badge-role">{roleLabel(person.role)}</span>
                      </td>
                      <td>{person.why}</td>
                    </tr>
                  ))}
                </Table>
            )}
          </div>
        )}
      </Card>
      <Card title="Access timeline" id="timeline">
        <ProblemMessage problem={timeline.problem} />
        {timeline.loading && !timeline.data && <Loading what="the access history" />}
        {timeline.data && entries.length === 0 && <Empty>No access change yet.</Empty>}
        {entries.length > 0 && (
          <Table caption="Every access change, newest first" class="timeline" columns={['When', 'Who', 'What', 'Before → after', 'Reason', 'Preview shown']}>
              {entries.map((entry) => (
                <tr key={entry.eventId}>
                  <td>{exactTime(entry.at)}</td>
                  <td>{namedBy(entry.names, nameOf, session.person.userId)(entry.actor)}</td>
                  <td>{subjectWords(entry, namedBy(entry.names, nameOf, session.person.userId))}</td>
                  <td>
                    {value(entry.subject, entry.before)} → {value(entry.subject, entry.after)}
                  </td>
                  <td>{entry.reason ?? <span class="muted">—</span>}</td>
                  <td>
                    {entry.previewId ? (
                      openPreview === entry.previewId ? (
                        <PreviewShown project={project.id} previewId={entry.previewId} nameOf={nameOf} />
                      ) : (
                        <Button variant="quiet" onClick={() => setOpenPreview(entry.previewId)} aria-label={`Show the preview seen before the change of ${exactTime(entry.at)}`}>
                          Show
                        </Button>
                      )
                    ) : (
                      <span class="muted">none</span>
                    )}
                  </td>
                </tr>
              ))}
            </Table>
        )}
      </Card>
    </>
  );
}
