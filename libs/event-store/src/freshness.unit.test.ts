import { FollowerProgress, FreshState, sharedFromCall, type FreshnessGate } from './freshness';
import { RecentLog } from './log-index';
import type { PositionProbe } from './port';

/** A log of categories by position (1-based), that counts what it is asked. */
class ScriptedLog implements PositionProbe {
  readonly categories: string[] = [];
  heads = 0;
  probes = 0;
  /** Appended while the next probe is under way, to stand for a write that lands meanwhile. */
  duringProbe: string[] = [];

  append(...categories: string[]): number {
    this.categories.push(...categories);
    return this.categories.length;
  }

  async headPosition(): Promise<number> {
    this.heads++;
    return this.categories.length;
  }

  async firstPositionAfter(position: number, categories: string[]): Promise<number | undefined> {
    this.probes++;
    this.append(...this.duringProbe.splice(0));
    const index = this.categories.findIndex((category, at) => at + 1 > position && categories.includes(category));
    return index < 0 ? undefined : index + 1;
  }
}

describe('sharedFromCall', () => {
  it('callers of one moment share one call, and it starts after all of them called', async () => {
    let calls = 0;
    let value = 0;
    const read = sharedFromCall(async () => (calls++, value));

    const shared = [read(), read(), read()];
    value = 7;

    expect(await Promise.all(shared)).toEqual([7, 7, 7]);
    expect(calls).toBe(1);
  });

  it('a caller who arrives while a call is under way gets the next one, never the answer of a call sent before it', async () => {
    let release: () => void = () => undefined;
    let value = 1;
    const read = sharedFromCall(() => new Promise<number>((resolve) => (release = () => resolve(value))));

    const early = read();
    await new Promise((resolve) => setImmediate(resolve));
    value = 2;
    const late = [read(), read()];
    release();
    expect(await early).toBe(2);
    await new Promise((resolve) => setImmediate(resolve));
    value = 3;
    release();

    expect(await Promise.all(late)).toEqual([3, 3]);
  });

  it('a failed call fails its callers only; the next callers get a new call', async () => {
    let fail = true;
    const read = sharedFromCall(async () => {
      if (fail) throw new Error('unreachable');
      return 1;
    });

    await expect(read()).rejects.toThrow('unreachable');
    fail = false;
    expect(await read()).toBe(1);
  });
});

describe('FollowerProgress', () => {
  const ours = 'access_project';

  it('given a model that has applied its last event, when the log has moved on with other categories only, then one probe says it lacks nothing', async () => {
    const log = new ScriptedLog();
    const applied = log.append(ours);
    log.append('projects_project', 'jobs_job');
    const progress = new FollowerProgress(log, [ours], () => applied);

    expect(await progress.missingAtHead()).toBeUndefined();
    expect(log.probes).toBe(1);
  });

  it('given a model behind its categories, when checked, then it names the first event it lacks and the head to reach', async () => {
    const log = new ScriptedLog();
    const applied = log.append(ours);
    const lacking = log.append('jobs_job', ours);
    log.append(ours);
    const progress = new FollowerProgress(log, [ours], () => applied);

    expect(await progress.missingAtHead()).toEqual({ missing: lacking, head: 4 });
    expect(progress.passedThrough).toBe(lacking - 1);
  });

  it('an event of its categories stored after the call is not waited for', async () => {
    const log = new ScriptedLog();
    const applied = log.append(ours, 'jobs_job');
    log.duringProbe = [ours];
    const progress = new FollowerProgress(log, [ours], () => 1);

    expect(applied).toBe(2);
    expect(await progress.missingAtHead()).toBeUndefined();
  });

  it('remembers what a probe proved: the next check of a target it covers asks the log nothing', async () => {
    const log = new ScriptedLog();
    log.append(ours, 'jobs_job', 'jobs_job');
    const progress = new FollowerProgress(log, [ours], () => 1);
    await progress.head();

    expect(await progress.missingAtHead()).toBeUndefined();
    expect(progress.passedThrough).toBe(3);
    const asked = log.probes;
    expect(await progress.missingThrough(3)).toBeUndefined();
    expect(log.probes).toBe(asked);
  });

  describe('on a log whose tail this process follows', () => {
    /** The scripted log with an index that has seen every event after `seenAfter`. */
    const indexed = (log: ScriptedLog, seenAfter: number) => {
      const index = new RecentLog(seenAfter);
      log.categories.forEach((category, at) => index.seen(at + 1, category));
      return Object.assign(log, { index });
    };

    it('given a range the index has seen, when checked against a target, then the index answers and the log is not asked', async () => {
      const log = new ScriptedLog();
      const applied = log.append(ours);
      const lacking = log.append('jobs_job', ours);
      const progress = new FollowerProgress(indexed(log, 0), [ours], () => applied);

      expect(await progress.missingThrough(lacking)).toBe(lacking);
      expect(await progress.missingThrough(lacking - 1)).toBeUndefined();
      expect(log.probes + log.heads).toBe(0);
    });

    it("given a command's check, then only the head is read", async () => {
      const log = new ScriptedLog();
      const applied = log.append(ours);
      log.append('jobs_job', 'jobs_job');
      const progress = new FollowerProgress(indexed(log, 0), [ours], () => applied);

      expect(await progress.missingAtHead()).toBeUndefined();
      expect(progress.passedThrough).toBe(3);
      expect({ heads: log.heads, probes: log.probes }).toEqual({ heads: 1, probes: 0 });
    });

    it('given a range that starts before the index, then the log is probed as without one', async () => {
      const log = new ScriptedLog();
      log.append(ours, 'jobs_job', ours);
      const progress = new FollowerProgress(indexed(log, 2), [ours], () => 0);

      expect(await progress.missingThrough(3)).toBe(1);
      expect(log.probes).toBe(1);
    });

    it('given a model whose categories had nothing since before the index, then one probe brings it into the index, which answers from then on', async () => {
      const log = new ScriptedLog();
      const applied = log.append(ours);
      log.append('jobs_job', 'jobs_job', 'jobs_job');
      const { index } = indexed(log, 2);
      const progress = new FollowerProgress(log, [ours], () => applied);

      expect(await progress.missingThrough(3)).toBeUndefined();
      expect(progress.passedThrough).toBe(4);
      const target = log.append('jobs_job');
      index.seen(target, 'jobs_job');
      expect(await progress.missingThrough(target)).toBeUndefined();
      expect(log.probes).toBe(1);
    });
  });

  it('a position a server vouched for counts as passed', async () => {
    const log = new ScriptedLog();
    log.append(ours, ours);
    const progress = new FollowerProgress(log, [ours], () => 0);

    expect(await progress.missingThrough(2)).toBe(1);
    progress.record(2);
    expect(await progress.missingThrough(2)).toBeUndefined();
  });
});

describe('FreshState', () => {
  const gate = (name: string, fresh: boolean): FreshnessGate => ({ name, waitForHead: async () => fresh });

  it('resolves when every model is fresh', async () => {
    await expect(new FreshState(50).of(gate('a', true), gate('b', true))).resolves.toBeUndefined();
  });

  it('refuses with NotCaughtUpError naming the models that did not catch up', async () => {
    await expect(new FreshState(50).of(gate('authorization model', false), gate('experiment_directory', true))).rejects.toMatchObject({
      name: 'NotCaughtUpError',
      message: expect.stringContaining('authorization model did not catch up'),
    });
  });
});
