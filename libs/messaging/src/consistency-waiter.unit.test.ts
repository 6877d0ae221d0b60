import { RecentLog, type PositionProbe } from '@cairn/event-store';
import { ConsistencyWaiter, type ProgressSource } from './consistency-waiter';

/** A log whose head is at 10 and whose only event of the manual category is at 5. */
const log: PositionProbe = {
  headPosition: async () => 10,
  firstPositionAfter: async (position) => (position < 5 ? 5 : undefined),
};

/** The same log, with what a process following its tail has seen of it (every event after 4); counts the log's answers. */
function indexedLog(): PositionProbe & { asked: number } {
  const index = new RecentLog(4);
  for (let position = 5; position <= 10; position++) index.seen(position, position === 5 ? 'manual_thing' : 'other_thing');
  const counted = {
    asked: 0,
    index,
    headPosition: async () => (counted.asked++, log.headPosition()),
    firstPositionAfter: async (position: number, categories: string[]) => (counted.asked++, log.firstPositionAfter(position, categories)),
  };
  return counted;
}

/**
 * A projection this test moves by hand. Its server answers when the test says so, or at once "not yet"
 * when `serverSaysNotYet`. By default another replica may be the active one (`isActive` false).
 */
class ManualSource implements ProgressSource {
  readonly name = 'manual';
  readonly categories = ['manual_thing'];
  appliedPosition = 0;
  serverAsked = 0;
  private readonly listeners = new Set<(position: number) => void>();
  private answerServer: (passed: boolean) => void = () => undefined;

  constructor(
    private readonly serverSaysNotYet = false,
    readonly isActive = false,
  ) {}

  onProgress(listener: (position: number) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  hasPassed(): Promise<boolean> {
    this.serverAsked++;
    if (this.serverSaysNotYet) return Promise.resolve(false);
    return new Promise((resolve) => (this.answerServer = resolve));
  }

  apply(position: number): void {
    this.appliedPosition = position;
    for (const listener of this.listeners) listener(position);
  }

  answer(passed: boolean): void {
    this.answerServer(passed);
  }
}

/** Lets the waiter's pending promise callbacks run (timers stay still). */
const flush = () => jest.advanceTimersByTimeAsync(0);

describe('ConsistencyWaiter', () => {
  // Timers move only when a test moves them: a wait that does not end on its own would hang, not pass late.
  beforeEach(() => jest.useFakeTimers());
  afterEach(() => jest.useRealTimers());

  const waiter = () => new ConsistencyWaiter(log, { fallbackCheckMs: 250 });

  it('answers at once for a position the projections have applied, without asking the server', async () => {
    const consistency = waiter();
    const source = new ManualSource();
    consistency.register(source);
    source.apply(7);

    expect(await consistency.waitFor(7, 1_000)).toBe(true);
    expect(source.serverAsked).toBe(0);
  });

  it('wakes on the projection applying the position', async () => {
    const consistency = waiter();
    const source = new ManualSource();
    consistency.register(source);
    const waiting = consistency.waitFor(5, 10_000);
    await flush();
    source.answer(false);
    await flush();

    source.apply(5);

    expect(await waiting).toBe(true);
  });

  it('keeps progress that arrives while the server is being asked (the server then answers "not yet")', async () => {
    const consistency = waiter();
    const source = new ManualSource();
    consistency.register(source);
    const waiting = consistency.waitFor(5, 10_000);
    await flush();

    source.apply(5);
    source.answer(false);

    expect(await waiting).toBe(true);
  });

  it('for a projection this process runs as the active client, waits for its progress and asks the server only after fallbackCheckMs without any', async () => {
    const consistency = waiter();
    const source = new ManualSource(true, true);
    consistency.register(source);
    const waiting = consistency.waitFor(5, 10_000);
    await jest.advanceTimersByTimeAsync(200);
    expect(source.serverAsked).toBe(0);

    await jest.advanceTimersByTimeAsync(50);
    expect(source.serverAsked).toBe(1);
    source.apply(5);
    expect(await waiting).toBe(true);
  });

  it('on a log whose tail the process follows, waits for the projection without asking the log or the server', async () => {
    const log = indexedLog();
    const consistency = new ConsistencyWaiter(log, { fallbackCheckMs: 250 });
    const source = new ManualSource(true, true);
    // Where the tail started: what came before is the server's to tell (once; see FollowerProgress).
    source.apply(4);
    consistency.register(source);
    const waiting = consistency.waitFor(8, 10_000);
    await flush();

    source.apply(5);

    expect(await waiting).toBe(true);
    expect({ log: log.asked, server: source.serverAsked }).toEqual({ log: 0, server: 0 });
  });

  it('asks the server again every fallbackCheckMs, and answers false once the bound has passed', async () => {
    const consistency = waiter();
    const source = new ManualSource(true);
    consistency.register(source);
    const waiting = consistency.waitFor(5, 1_000);

    await jest.advanceTimersByTimeAsync(1_000);

    expect(await waiting).toBe(false);
    expect(source.serverAsked).toBe(5);
  });
});
