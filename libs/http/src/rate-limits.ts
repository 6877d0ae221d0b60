import type { NextFunction, Request, RequestHandler, Response } from 'express';
import { problem, PROBLEM_CONTENT_TYPE, type ProblemDocument } from './problem';

/** How long a bucket untouched since it refilled stays in memory: a minute refills any bucket. */
const SWEEP_INTERVAL_MS = 60_000;

/**
 * A token bucket per key (a person, a client address), in this process only: `perMinute` requests in
 * one burst, refilled at `perMinute` a minute. With several replicas each keeps its own buckets, so the
 * limit holds per replica. `perMinute` 0 means no limit.
 */
export class RequestBuckets {
  private readonly buckets = new Map<string, { tokens: number; at: number }>();
  private sweptAt: number;

  constructor(
    readonly perMinute: number,
    private readonly now: () => number = Date.now,
  ) {
    this.sweptAt = now();
  }

  /** Counts one request of `key`: undefined when it may go on, else the whole seconds until one more may. */
  take(key: string): number | undefined {
    if (this.perMinute === 0) return undefined;
    const now = this.now();
    this.sweep(now);
    const tokens = this.tokensOf(key, now);
    if (tokens >= 1) {
      this.buckets.set(key, { tokens: tokens - 1, at: now });
      return undefined;
    }
    this.buckets.set(key, { tokens, at: now });
    return Math.max(1, Math.ceil(((1 - tokens) * 60) / this.perMinute));
  }

  private tokensOf(key: string, now: number): number {
    const bucket = this.buckets.get(key);
    if (!bucket) return this.perMinute;
    return Math.min(this.perMinute, bucket.tokens + ((now - bucket.at) * this.perMinute) / 60_000);
  }

  /** A full bucket is the same as none: forgetting them keeps memory to the keys active in the last minute. */
  private sweep(now: number): void {
    if (now - this.sweptAt < SWEEP_INTERVAL_MS) return;
    this.sweptAt = now;
    for (const key of this.buckets.keys()) if (this.tokensOf(key, now) >= this.perMinute) this.buckets.delete(key);
  }
}

/** A caller over one of its limits: answered 429 with `Retry-After`. */
export class RateLimitedError extends Error {
  constructor(
    readonly scope: 'principal' | 'address',
    readonly retryAfterSeconds: number,
  ) {
    super(
      scope === 'principal'
        ? `Too many requests with this token; retry in ${retryAfterSeconds} s.`
        : `Too many requests from this address; retry in ${retryAfterSeconds} s.`,
    );
    this.name = 'RateLimitedError';
  }

  problem(): ProblemDocument {
    return problem(429, this.message, { rule: `rate-limit.${this.scope}`, retryAfterSeconds: this.retryAfterSeconds });
  }
}

/**
 * Express's `trust proxy` from `CAIRN_TRUSTED_PROXIES` (comma-separated addresses, CIDR ranges, or
 * `loopback`, `linklocal`, `uniquelocal`): a request's client address is taken from `X-Forwarded-For`
 * only when the peer that sent it is one of these (the edge, the Ingress controller); else it is the peer.
 */
export function trustedProxiesFrom(setting: string | undefined): string[] | false {
  const proxies = (setting ?? '')
    .split(',')
    .map((entry) => entry.trim())
    .filter(Boolean);
  return proxies.length === 0 ? false : proxies;
}

/**
 * Every /api request counts against its client address (health probes and metrics scrapes do not),
 * before its body is read or its token checked.
 */
export function limitByAddress(buckets: RequestBuckets): RequestHandler {
  return (request: Request, response: Response, next: NextFunction) => {
    if (!request.path.startsWith('/api')) return next();
    const retryAfterSeconds = buckets.take(request.ip ?? request.socket.remoteAddress ?? 'unknown');
    if (retryAfterSeconds === undefined) return next();
    const document = new RateLimitedError('address', retryAfterSeconds).problem();
    response.status(429).setHeader('Retry-After', String(retryAfterSeconds));
    response.type(PROBLEM_CONTENT_TYPE).send(JSON.stringify(document));
  };
}
