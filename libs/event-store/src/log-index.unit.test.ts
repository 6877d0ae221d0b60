import { RecentLog } from './log-index';

describe('RecentLog', () => {
  const ours = 'access_project';

  it('given the events it saw, names the first of some categories in a range, or none', () => {
    const log = new RecentLog(10);
    log.seen(11, 'jobs_job');
    log.seen(12, ours);
    log.seen(14, ours);

    expect(log.firstBetween(10, 14, [ours])).toBe(12);
    expect(log.firstBetween(12, 14, [ours])).toBe(14);
    expect(log.firstBetween(12, 13, [ours])).toBeUndefined();
    expect(log.firstBetween(10, 14, ['logbook_entry'])).toBeUndefined();
  });

  it('cannot tell about a range before where it started or beyond what it has seen', () => {
    const log = new RecentLog(10);
    log.seen(11, ours);

    expect(log.firstBetween(9, 11, [ours])).toBeNull();
    expect(log.firstBetween(10, 12, [ours])).toBeNull();
  });

  it('keeps the newest events past its capacity, and leaves older ranges to the server', () => {
    const log = new RecentLog(0, 4);
    for (let position = 1; position <= 5; position++) log.seen(position, ours);

    expect(log.firstBetween(0, 5, [ours])).toBeNull();
    expect(log.firstBetween(3, 5, [ours])).toBe(4);
  });

  describe('reach', () => {
    beforeEach(() => jest.useFakeTimers());
    afterEach(() => jest.useRealTimers());

    it('resolves once it has seen the position', async () => {
      const log = new RecentLog(0);
      const reaching = log.reach(2, Date.now() + 1_000);
      log.seen(1, ours);
      log.seen(2, ours);

      expect(await reaching).toBe(true);
      expect(await log.reach(2, Date.now())).toBe(true);
    });

    it('answers false at the deadline, and at once when the tail has stopped', async () => {
      const log = new RecentLog(0);
      const reaching = log.reach(1, Date.now() + 100);
      await jest.advanceTimersByTimeAsync(100);
      expect(await reaching).toBe(false);

      const waiting = log.reach(1, Date.now() + 1_000);
      log.stopped();
      expect(await waiting).toBe(false);
      expect(await log.reach(1, Date.now() + 1_000)).toBe(false);
    });
  });
});
