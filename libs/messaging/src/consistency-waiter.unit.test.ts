import type { PositionProbe } from '@cairn/event-store';
import { ConsistencyWaiter, type ProgressSource } from './consistency-waiter';

/** A log whose head is at 10 and whose only event of the manual category is at 5. */
const log: PositionProbe = {
  headPosition: async () => 10,
  firstPositionAfter: async (position) => (position < 5 ? 5 : undefined),
};

/**
 * A projection this test moves by hand. Its server answers when the test says so, or at once "not yet"
 * when `serverSaysNotYet`.
 */
class ManualSource implements ProgressSource {
  readonly name = 'manual';
  readonly categories = ['manual_thing'];
  appliedPosition = 0;
  serverAsked = 0;
  private readonly listeners = new Set<(position: number) => void>();
  private answerServer: (passed: boolean) => void = () => undefined;

  constructor(private readonly serverSaysNotYet = false) {}

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
