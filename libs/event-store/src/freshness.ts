import type { PositionProbe } from './port';

/**
 * Wraps `call` so that concurrent callers share one call, but never one that began before they called:
 * callers join the next call, which starts once the one under way (if any) has settled, and never
 * synchronously, so that the callers of one moment (the models of one command) share it. Each caller
 * gets an answer from after its call, and however many call, at most one call is under way and one
 * waiting.
 */
export function sharedFromCall<T>(call: () => Promise<T>): () => Promise<T> {
  let running: Promise<unknown> = Promise.resolve();
  let next: Promise<T> | undefined;
  return () => {
    next ??= running.then(() => {
      next = undefined;
      const started = call();
      running = started.catch(() => undefined);
      return started;
    });
    return next;
  };
}

/** A model (a read model, the authorization model) has not caught up within its bound: answered 503 with Retry-After. */
export class NotCaughtUpError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'NotCaughtUpError';
  }
}

/** A model a decision reads, which can wait until it has applied everything its log holds. */
export interface FreshnessGate {
  /** Names the model in a refusal. */
  readonly name: string;
  /**
   * True once the model has applied every event of its categories that the log held when this was
   * called; false when it has not within `timeoutMs`, or cannot tell (its log cannot be asked).
   */
  waitForHead(timeoutMs: number): Promise<boolean>;
}

/**
 * Commands decide on fresh state (docs/architecture.md §3): before a decision reads a model, the model has applied
 * everything the event store held when the command arrived, within the same bound as
 * `Cairn-Min-Position`. So a client needs no token for its own commands, and a revocation binds the next
 * command everywhere.
 */
export class FreshState {
  constructor(private readonly timeoutMs: number) {}

  /** Resolves once every model is fresh; NotCaughtUpError (503) naming those that are not past the bound. */
  async of(...models: FreshnessGate[]): Promise<void> {
    const fresh = await Promise.all(models.map((model) => model.waitForHead(this.timeoutMs)));
    const behind = models.filter((_, index) => !fresh[index]).map((model) => model.name);
    if (behind.length > 0) {
      throw new NotCaughtUpError(`${behind.join(', ')} did not catch up with the event store within ${this.timeoutMs} ms; retry shortly.`);
    }
  }
}

/**
 * How long a check waits for the process's tail of the log to reach a position the log is known to
 * hold (it is usually there already) before it asks the server instead.
 */
const INDEX_REACH_MS = 250;

/**
 * True once the process's tail of `log` has reached `position` (so the log holds it), waiting at most
 * `INDEX_REACH_MS` and never past `deadline`; false at once for a log whose tail it does not follow.
 */
export async function tailReaches(log: PositionProbe, position: number, deadline = Number.POSITIVE_INFINITY): Promise<boolean> {
  return (await log.index?.reach(position, Math.min(deadline, Date.now() + INDEX_REACH_MS))) ?? false;
}

interface Probe {
  /** The first event of the categories after the position the probe asked from, if the log had one. */
  first: number | undefined;
  /** A head the log had reached before the probe was sent. */
  headBefore: number;
}

/**
 * How far a model that follows some categories of a log is known to be complete, and the checks that
 * take that knowledge forward without reading an event: "the first event of my categories after what
 * I know I have" (one request per category, shared by every caller of the same moment).
 *
 * A check costs one round trip when the model is up to date: the probe alone answers, since an answer
 * sent after the call that finds nothing of the categories beyond the model proves the model had
 * everything the log held at the call. The head, read at the same time, is needed only when the probe
 * finds an event (was it stored before the call?), and to move `passedThrough` over other categories'
 * events so that the next probe starts near the head instead of scanning them again.
 *
 * A log with an `index` (the process follows its tail) answers both checks without a probe for every
 * range the index has seen: a `Cairn-Min-Position` wait then asks the server nothing, and a command's
 * freshness check only reads the head.
 */
export class FollowerProgress {
  private through = 0;
  private latestHead = 0;
  private readonly probe: () => Promise<Probe>;

  constructor(
    private readonly log: PositionProbe,
    private readonly categories: string[],
    /** The last position the model applied; every event of its categories up to it is in the model. */
    private readonly applied: () => number,
  ) {
    this.probe = sharedFromCall(async () => {
      // The index's position, too, is one the log had reached before the probe was sent.
      const headBefore = Math.max(this.latestHead, log.index?.position ?? 0);
      return { first: await log.firstPositionAfter(this.passedThrough, categories), headBefore };
    });
  }

  /** Every event of the categories at or below this position is in the model. */
  get passedThrough(): number {
    return Math.max(this.through, this.applied());
  }

  /** The model is known to have passed `position` (a server vouched for it, for another replica's work). */
  record(position: number): void {
    this.through = Math.max(this.through, position);
  }

  /** The log's head as of the call or later; later probes build on it. */
  async head(): Promise<number> {
    const head = await this.log.headPosition();
    this.latestHead = Math.max(this.latestHead, head);
    return head;
  }

  /**
   * The first event of the categories up to `target` that the model lacks; undefined when it lacks
   * none. `target` must be a position the log had reached before the call (a head read earlier).
   */
  async missingThrough(target: number): Promise<number | undefined> {
    if (this.passedThrough >= target) return undefined;
    const seen = this.seenMissingThrough(target);
    if (seen !== null) return seen;
    const { first } = await this.probed();
    if (first !== undefined && first <= target) return first;
    this.record(target);
    return undefined;
  }

  /**
   * Whether the model lacks an event of its categories that the log held when this was called: undefined
   * when it lacks none, else the first it lacks and the head (read after the call) to catch up to.
   */
  async missingAtHead(): Promise<{ missing: number; head: number } | undefined> {
    const reading = this.head();
    if (this.log.index) {
      // The head alone, then the index (which is at the head or just behind it) answers.
      const head = await reading;
      if (await tailReaches(this.log, head)) {
        const missing = this.seenMissingThrough(head);
        if (missing !== null) return missing === undefined ? undefined : { missing, head };
      }
    }
    // Awaited only when the probe finds an event; a failure then fails the check.
    reading.catch(() => undefined);
    const { first } = await this.probed();
    if (first === undefined) return undefined;
    const head = await reading;
    return first <= head ? { missing: first, head } : undefined;
  }

  /** `missingThrough` from what this process saw of the log; null when it has not seen the whole range. */
  private seenMissingThrough(target: number): number | undefined | null {
    if (!this.log.index) return null;
    const first = this.log.index.firstBetween(this.passedThrough, target, this.categories);
    if (first !== null) this.record(first === undefined ? target : first - 1);
    return first;
  }

  private async probed(): Promise<Probe> {
    const probe = await this.probe();
    // Nothing of the categories between where the probe started and its answer (or the end of the log).
    this.record(probe.first === undefined ? probe.headBefore : probe.first - 1);
    return probe;
  }
}
