import { isDeepStrictEqual } from 'node:util';
import { readTemplateFiles, type TemplateFile } from '@cairn/testing';

/** What the jobs API answers for a registered version (`GET /api/job-templates`). */
type RegisteredVersion = Record<string, unknown> & { name: string; version: string };

/**
 * What the jobs service fills in for a field a registration leaves out (docs/api.md, "Jobs"), so that a file
 * without it matches the version it registered. A field not listed here is compared only when the file sets it.
 */
const API_DEFAULTS: Record<string, unknown> = { description: '', timeLimitSeconds: 3600, deterministic: false };

/** The service keeps input and machine types as sets: lower-case extensions without the dot, repeats dropped. */
const COMPARED_AS_SETS: Record<string, (value: string) => string> = {
  inputTypes: (type) => type.trim().toLowerCase().replace(/^\./, ''),
  machineTypes: (machine) => machine,
};

export type TemplateOutcome =
  | { file: string; ref: string; outcome: 'registered' | 'unchanged' }
  | { file: string; ref: string; outcome: 'refused'; reason: string };

/** Equal as JSON: a parsed file and an API answer may come from different realms (prototypes), which only JSON's values may decide. */
const sameJson = (a: unknown, b: unknown) => isDeepStrictEqual(JSON.parse(JSON.stringify(a ?? null)), JSON.parse(JSON.stringify(b ?? null)));

/** The fields in which a file differs from the version the platform holds under its name and version. */
export function changedFields(body: TemplateFile['body'], registered: RegisteredVersion): string[] {
  const sameSet = (field: string, a: unknown, b: unknown) =>
    Array.isArray(a) && Array.isArray(b) && sameJson([...new Set(a.map(String).map(COMPARED_AS_SETS[field]))].sort(), [...new Set(b.map(String).map(COMPARED_AS_SETS[field]))].sort());
  const set = Object.keys(body).filter((field) => !(field in COMPARED_AS_SETS ? sameSet(field, body[field], registered[field]) : sameJson(body[field], registered[field])));
  const defaulted = Object.keys(API_DEFAULTS).filter((field) => !(field in body) && !sameJson(registered[field], API_DEFAULTS[field]));
  return [...set, ...defaulted];
}

interface ApplyOptions {
  dir: string;
  /** The platform's base URL, e.g. http://127.0.0.1:8080 (the edge; routes under /api). */
  apiUrl: string;
  /** A facility admin's bearer token. */
  token: string;
  log: (line: string) => void;
}

/**
 * `cairn templates apply DIR`: registers each template file's version through the jobs API. A version the
 * platform holds with the same body is left as it is; one it holds with another body is refused, naming the
 * file (a version never changes: give the change a new version). Every file is tried; the outcomes say which.
 */
export async function applyTemplates({ dir, apiUrl, token, log }: ApplyOptions): Promise<TemplateOutcome[]> {
  const api = async (method: 'GET' | 'POST', path: string, body?: unknown) => {
    const response = await fetch(`${apiUrl.replace(/\/+$/, '')}${path}`, {
      method,
      headers: { authorization: `Bearer ${token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    return { status: response.status, body: (await response.json().catch(() => ({}))) as Record<string, unknown> };
  };
  const registeredVersion = async ({ name, version }: TemplateFile['body']): Promise<RegisteredVersion | undefined> => {
    for (let cursor: string | undefined, first = true; first || cursor; first = false) {
      const page = await api('GET', `/api/job-templates?${new URLSearchParams({ name, limit: '100', ...(cursor && { cursor }) })}`);
      if (page.status !== 200) throw new Error(`GET /api/job-templates answered ${page.status} ${problemOf(page.body)}`);
      const found = (page.body.items as RegisteredVersion[]).find((item) => item.name === name && item.version === version);
      if (found) return found;
      cursor = page.body.nextCursor as string | undefined;
    }
    return undefined;
  };
  const compared = (file: string, ref: string, body: TemplateFile['body'], registered: RegisteredVersion): TemplateOutcome => {
    const changed = changedFields(body, registered);
    return changed.length === 0
      ? { file, ref, outcome: 'unchanged' }
      : { file, ref, outcome: 'refused', reason: `${ref} is registered with another ${changed.join(', ')}; a version never changes: give the change a new version` };
  };

  const outcomes: TemplateOutcome[] = [];
  for (const { file, body } of readTemplateFiles(dir)) {
    const ref = `${body.name}@${body.version}`;
    const before = await registeredVersion(body);
    let outcome: TemplateOutcome;
    if (before) outcome = compared(file, ref, body, before);
    else {
      const answer = await api('POST', '/api/job-templates', body);
      if (answer.status === 201) outcome = { file, ref, outcome: 'registered' };
      else if (answer.body.rule === 'jobs.template-version-immutable') {
        // Registered since the list was read, or the list had not caught up yet: compare with what is there.
        const registered = await eventually(() => registeredVersion(body));
        outcome = registered ? compared(file, ref, body, registered) : { file, ref, outcome: 'refused', reason: `${ref} is registered already, and the list does not show it yet: apply again` };
      } else outcome = { file, ref, outcome: 'refused', reason: `${answer.status} ${problemOf(answer.body)}` };
    }
    log(outcome.outcome === 'refused' ? `${file}: ${ref} refused: ${outcome.reason}` : `${file}: ${ref} ${outcome.outcome}`);
    outcomes.push(outcome);
  }
  return outcomes;
}

/** A problem+json answer in one line: its detail and each field's message. */
function problemOf(body: Record<string, unknown>): string {
  const errors = (body.errors as { field: string; message: string }[] | undefined) ?? [];
  return [body.detail ?? body.title ?? '', ...errors.map((error) => `${error.field}: ${error.message}`)].filter(Boolean).join('; ');
}

/** The read model answers within its consistency bound (2 s); a little longer covers a loaded machine. */
async function eventually<T>(read: () => Promise<T | undefined>, withinMs = 5_000): Promise<T | undefined> {
  const deadline = Date.now() + withinMs;
  for (;;) {
    const value = await read();
    if (value !== undefined || Date.now() > deadline) return value;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}
