import { fireEvent, screen, waitFor } from '@testing-library/preact';
import type { AccessSchemas } from '../api/client';
import { renderInConsole, stubPlatform } from '../testing/console-harness';
import { AuditPage } from './audit';
import type { ProjectPage } from './project-shell';

/** The auditor's view reads only the project's id and lab. */
const project = { id: 'p-1', lab: 'crystallography', you: { role: 'owner', via: 'explicit', capabilities: ['project.read', 'access.manage'] } } as ProjectPage;

const SIGNED = "All 2 signed heads verify with ed25519:272f11df98fcfc87, the platform's current signing key; signed at 2026-12-07T14:40:56.584Z.";

const SIGNED_AS_COMMITTED = [
  "The project's access (access_project-p-1, 3 events): every event signed as committed by ed25519:272f11df98fcfc87, last at 2026-12-07T14:40:50.001Z; the signature verifies.",
  "The lab's membership (access_lab-crystallography, 5 events): its first 4 events were signed as committed by ed25519:272f11df98fcfc87, last at 2026-12-07T14:40:40.001Z, but events #4..#4 were appended after the newest head the access service signed at write time; it never signed them (written to the store directly, or their signing failed).",
];

function platform(signatures: string, signedAtWrite: string[] = SIGNED_AS_COMMITTED) {
  const verification: AccessSchemas['ChainVerificationDto'] = {
    project: 'p-1',
    intact: true,
    length: 3,
    head: 'a'.repeat(64),
    summary: `chain intact (3 events), head ${'a'.repeat(64)}`,
    signatures,
    signedAtWrite,
  };
  return stubPlatform({
    'GET /api/audit/access': { body: { items: [], nextCursor: null } },
    'GET /api/audit/access/verify': { body: verification },
    'GET /api/labs/crystallography/members': { body: { items: [], nextCursor: null } },
    'GET /api/audit/access/bundle': { body: { format: 'cairn.audit-bundle.v1', project: 'p-1' } },
  });
}

describe("the auditor's view: the signed audit bundle", () => {
  const createObjectURL = jest.fn(() => 'blob:bundle');
  beforeAll(() => Object.assign(URL, { createObjectURL, revokeObjectURL: () => undefined }));

  it('says in words whether the signatures verify, and by which key', async () => {
    renderInConsole(<AuditPage project={project} />, platform(SIGNED));
    expect(await screen.findByText(/All 2 signed heads verify with ed25519:272f11df98fcfc87, the platform's current signing key/)).toBeTruthy();
    expect(screen.getByText('Signatures:')).toBeTruthy();
  });

  it('says per stream whether the access service signed its events as it committed them, not only at export', async () => {
    renderInConsole(<AuditPage project={project} />, platform(SIGNED));
    expect(await screen.findByText('Signed as committed:')).toBeTruthy();
    for (const words of SIGNED_AS_COMMITTED) expect(screen.getByText(words)).toBeTruthy();
  });

  it('says so when the platform has no signing key', async () => {
    renderInConsole(<AuditPage project={project} />, platform('Not signed: audit bundles are signed with the Ed25519 key in CAIRN_AUDIT_SIGNING_KEY_FILE: it is not set.', []));
    expect(await screen.findByText(/Not signed: .*CAIRN_AUDIT_SIGNING_KEY_FILE/)).toBeTruthy();
    expect(screen.queryByText('Signed as committed:')).toBeNull();
  });

  it('exports the bundle, answering for the instant the page asks about, as a file to verify offline', async () => {
    const stub = platform(SIGNED);
    renderInConsole(<AuditPage project={project} />, stub);
    fireEvent.click(await screen.findByRole('button', { name: 'Export audit bundle' }));
    await waitFor(() => expect(createObjectURL).toHaveBeenCalled());
    const [request] = stub.calls('GET', '/api/audit/access/bundle');
    expect(request.query.get('project')).toBe('p-1');
    expect(Number.isNaN(Date.parse(request.query.get('at') ?? ''))).toBe(false);
  });
});
