import { RequestBuckets, trustedProxiesFrom } from './rate-limits';

describe('RequestBuckets', () => {
  it('lets a burst of perMinute through, then one request per refill, and says how long to wait', () => {
    let now = 0;
    const buckets = new RequestBuckets(60, () => now);

    expect(Array.from({ length: 60 }, () => buckets.take('alice')).every((wait) => wait === undefined)).toBe(true);
    expect(buckets.take('alice')).toBe(1);
    now += 1_000;
    expect(buckets.take('alice')).toBeUndefined();
    expect(buckets.take('alice')).toBe(1);
  });

  it('keeps each key to its own bucket', () => {
    const buckets = new RequestBuckets(2, () => 0);
    buckets.take('alice');
    buckets.take('alice');

    expect(buckets.take('alice')).toBe(30);
    expect(buckets.take('bob')).toBeUndefined();
  });

  it('refills to a full burst, never beyond', () => {
    let now = 0;
    const buckets = new RequestBuckets(3, () => now);
    for (let i = 0; i < 3; i++) buckets.take('alice');
    now += 10 * 60_000;

    expect([1, 2, 3, 4].map(() => buckets.take('alice'))).toEqual([undefined, undefined, undefined, 20]);
  });

  it('limits nothing at 0', () => {
    const buckets = new RequestBuckets(0, () => 0);
    expect(Array.from({ length: 1000 }, () => buckets.take('alice')).every((wait) => wait === undefined)).toBe(true);
  });
});

describe('trustedProxiesFrom', () => {
  it('trusts no proxy unless told, and reads a comma-separated list', () => {
    expect(trustedProxiesFrom(undefined)).toBe(false);
    expect(trustedProxiesFrom(' ')).toBe(false);
    expect(trustedProxiesFrom('loopback, 10.0.0.0/8')).toEqual(['loopback', '10.0.0.0/8']);
  });
});
