import { randomUUID } from 'node:crypto';
import { LOCAL_DEV_JWT_SECRET, signDevToken } from '@cairn/auth';

/** One try of a command: its answer, or that the network cut it off. */
export interface Attempt {
  at: number;
  status?: number;
  /** The answer's `Retry-After`, if it had one. */
  retryAfter?: string;
  rule?: string;
  /** A refusal's or a 503's `detail`: which model was behind, say. */
  detail?: string;
  position?: number;
  error?: string;
}

/** A command as a client sends it, with every try: all tries share its `Idempotency-Key` and its `X-Request-Id`. */
export interface Operation {
  /** Its `X-Request-Id`, which becomes the correlation id of the events it appends. */
  id: string;
  client: string;
  what: string;
  method: 'POST' | 'PUT';
  path: string;
  body: unknown;
  attempts: Attempt[];
  /** The last answer's body (a create's id). */
  answer?: Record<string, unknown>;
}

export const isSuccess = (attempt: Attempt | undefined) => attempt?.status !== undefined && attempt.status >= 200 && attempt.status < 300;
/** Worth trying again: the service was unavailable, the outcome is unknown, or the first try is still running. */
const retryable = (attempt: Attempt) =>
  attempt.status === undefined || attempt.status >= 500 || (attempt.status === 409 && attempt.rule === 'idempotency.in-progress');

const token = (username: string, admin = false) => signDevToken({ username, admin, email: `${username}@example.org` }, LOCAL_DEV_JWT_SECRET);
const PER_TRY_TIMEOUT_MS = 15_000;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Several people working through the edge at once while the test breaks the NATS cluster: each sends one
 * command at a time and retries a command that got no answer or a 5xx, with the same `Idempotency-Key`,
 * as a careful client does (after `Retry-After`), until it is answered or the workload's retry time is over.
 */
export class Workload {
  readonly operations: Operation[] = [];
  private stopping = false;
  private retryUntil = Infinity;
  private readonly running: Promise<void>[] = [];
  private readonly run = randomUUID().slice(0, 8);
  /** The highest `Cairn-Position` each person has been answered. */
  private readonly seen = new Map<string, number>();

  constructor(private readonly edgeUrl: string) {}

  /** Signs everybody in and makes the lab the people share; throws if that does not work on a healthy cluster. */
  async setUp(people: string[]): Promise<string> {
    for (const person of ['alice', ...people]) {
      const response = await fetch(`${this.edgeUrl}/api/labs`, { headers: { authorization: `Bearer ${await token(person, person === 'alice')}` } });
      if (!response.ok) throw new Error(`${person} could not sign in: ${response.status}`);
    }
    const lab = await this.command('alice', 'create the shared lab', 'POST', '/api/labs', { name: `Shared ${this.run}` });
    const slug = String(lab.answer?.slug);
    for (const person of people) await this.command('alice', `add ${person}`, 'POST', `/api/labs/${slug}/members`, { user: person });
    const failed = this.operations.filter((operation) => !isSuccess(operation.attempts.at(-1)));
    if (failed.length > 0) throw new Error(`setting up failed: ${failed.map((operation) => `${operation.what}: ${operation.attempts.at(-1)?.status}`).join(', ')}`);
    return slug;
  }

  /** Starts the people's loops: alice makes labs and adds a member to each; every other person makes projects, shares them and writes in their logbooks. */
  start(lab: string, people: string[]): void {
    this.running.push(
      this.loop(async (round) => {
        const created = await this.command('alice', 'create a lab', 'POST', '/api/labs', { name: `Lab ${this.run} ${round}` });
        if (isSuccess(created.attempts.at(-1))) await this.command('alice', 'add a lab member', 'POST', `/api/labs/${String(created.answer?.slug)}/members`, { user: people[round % people.length] });
      }),
    );
    people.forEach((person, index) => {
      const other = people[(index + 1) % people.length];
      this.running.push(
        this.loop(async (round) => {
          const project = await this.command(person, 'create a project', 'POST', '/api/projects', { lab, name: `${person} ${this.run} ${round}`, scheme: 'facility' });
          if (!isSuccess(project.attempts.at(-1))) return;
          const id = String(project.answer?.id);
          await this.command(person, 'grant a role', 'PUT', `/api/projects/${id}/access/users/${other}`, { role: 'viewer' });
          await this.command(person, 'write a logbook entry', 'POST', `/api/projects/${id}/logbook/entries`, { title: `Round ${round}`, body: `Notes of ${person}.` });
        }),
      );
    });
  }

  /** No new commands; commands in hand are retried for up to `retryMs` more, then the loops end. */
  async stop(retryMs: number): Promise<void> {
    this.stopping = true;
    this.retryUntil = Date.now() + retryMs;
    await Promise.all(this.running);
  }

  private async loop(round: (index: number) => Promise<void>): Promise<void> {
    for (let index = 0; !this.stopping; index++) await round(index);
  }

  private async command(client: string, what: string, method: Operation['method'], path: string, body: unknown): Promise<Operation> {
    const operation: Operation = { id: `cluster-${this.run}-${this.operations.length}`, client, what, method, path, body, attempts: [] };
    this.operations.push(operation);
    const authorization = `Bearer ${await token(client, client === 'alice')}`;
    for (;;) {
      const attempt = await this.send(operation, authorization, this.seen.get(client) ?? 0);
      if (attempt.position !== undefined) this.seen.set(client, Math.max(attempt.position, this.seen.get(client) ?? 0));
      operation.attempts.push(attempt);
      if (!retryable(attempt) || Date.now() > this.retryUntil) return operation;
      await sleep(attempt.retryAfter ? Math.min(Number(attempt.retryAfter) * 1000, 2_000) : 500);
    }
  }

  /** Like the console, each person sends the highest `Cairn-Position` they have seen as `Cairn-Min-Position`: their next command sees what their last one did. */
  private async send(operation: Operation, authorization: string, minPosition: number): Promise<Attempt> {
    const at = Date.now();
    try {
      const response = await fetch(`${this.edgeUrl}${operation.path}`, {
        method: operation.method,
        headers: {
          authorization,
          'content-type': 'application/json',
          'idempotency-key': operation.id,
          'x-request-id': operation.id,
          'cairn-min-position': String(minPosition),
        },
        body: JSON.stringify(operation.body),
        signal: AbortSignal.timeout(PER_TRY_TIMEOUT_MS),
      });
      const text = await response.text();
      const parsed = text ? (JSON.parse(text) as Record<string, unknown>) : {};
      if (response.ok) operation.answer = parsed;
      const position = response.headers.get('cairn-position');
      const retryAfter = response.headers.get('retry-after');
      return {
        at,
        status: response.status,
        ...(retryAfter === null ? {} : { retryAfter }),
        ...(typeof parsed.rule === 'string' ? { rule: parsed.rule } : {}),
        ...(!response.ok && typeof parsed.detail === 'string' ? { detail: parsed.detail } : {}),
        ...(position === null ? {} : { position: Number(position) }),
      };
    } catch (error) {
      return { at, error: (error as Error).message };
    }
  }
}
