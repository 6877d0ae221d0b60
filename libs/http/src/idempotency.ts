import {
  ConflictException,
  Inject,
  Injectable,
  UnprocessableEntityException,
  type CallHandler,
  type ExecutionContext,
  type NestInterceptor,
} from '@nestjs/common';
import { HTTP_CODE_METADATA } from '@nestjs/common/constants';
import { Reflector } from '@nestjs/core';
import { createHash } from 'node:crypto';
import type { Request, Response } from 'express';
import { MongoServerError, type Collection, type Db } from 'mongodb';
import { catchError, from, mergeMap, Observable, of } from 'rxjs';
import { isStoreUnavailable, withIdempotencyKey } from '@cairn/event-store';
import { problem } from './problem';
import { POSITION_HEADER } from './positions';

export const IDEMPOTENCY_HEADER = 'Idempotency-Key';
export const IDEMPOTENCY_DB = Symbol('IDEMPOTENCY_DB');
const MUTATING = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);
const RETENTION_SECONDS = 24 * 60 * 60;

/** What a replay sends again besides status and body: where the change landed, and the version it made. */
const REPLAYED_HEADERS = [POSITION_HEADER, 'ETag'];

interface StoredResponse {
  _id: string;
  fingerprint: string;
  createdAt: Date;
  /** A try failed without knowing whether its append was stored: the next try takes the key over. */
  inDoubt?: boolean;
  /** `position`: the `Cairn-Position` of answers stored before `headers` were (kept for a day, see RETENTION_SECONDS). */
  completed?: { status: number; body: unknown; headers?: Record<string, string>; position?: string };
}

/**
 * A retried command with the same `Idempotency-Key` (per caller) gets the first answer and changes nothing.
 * Keys live in MongoDB, so every replica of a service sees them. A failed command releases its key: it
 * changed nothing, so running it again is the honest retry. When the store could not say whether an append
 * was stored (503), the key stays, in doubt, and the retry takes it over: its commits carry the same
 * event ids as the first try's (from the key and the time it was first used), so a commit that was
 * stored after all is found and answered, not made again (`nextIdempotentCommit`).
 */
@Injectable()
export class IdempotencyInterceptor implements NestInterceptor {
  private readonly keys: Promise<Collection<StoredResponse>>;

  constructor(
    @Inject(IDEMPOTENCY_DB) db: Db,
    private readonly reflector: Reflector,
  ) {
    this.keys = (async () => {
      const collection = db.collection<StoredResponse>('idempotency_keys');
      await collection.createIndex({ createdAt: 1 }, { expireAfterSeconds: RETENTION_SECONDS }).catch(() => undefined);
      return collection;
    })();
  }

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    if (context.getType() !== 'http') return next.handle();
    const request = context.switchToHttp().getRequest<Request & { principal?: { userId: string } }>();
    const key = request.headers[IDEMPOTENCY_HEADER.toLowerCase()];
    if (!MUTATING.has(request.method) || typeof key !== 'string' || key === '') return next.handle();

    const response = context.switchToHttp().getResponse<Response>();
    const id = `${request.principal?.userId ?? 'anonymous'}:${key}`;
    const fingerprint = createHash('sha256')
      .update(`${request.method} ${request.originalUrl}\n${JSON.stringify(request.body ?? null)}`)
      .digest('hex');
    const status =
      this.reflector.get<number>(HTTP_CODE_METADATA, context.getHandler()) ?? (request.method === 'POST' ? 201 : 200);

    return from(this.claim(id, fingerprint)).pipe(
      mergeMap(({ previous, firstTriedAt }) => {
        if (previous) {
          const headers = previous.headers ?? (previous.position ? { [POSITION_HEADER]: previous.position } : {});
          for (const [name, value] of Object.entries(headers)) response.setHeader(name, value);
          response.status(previous.status);
          return of(previous.body);
        }
        // The handling runs as this key's request: its commits get event ids a retry of it makes again.
        const handled = new Observable<unknown>((subscriber) => withIdempotencyKey(id, firstTriedAt, () => next.handle().subscribe(subscriber)));
        return handled.pipe(
          mergeMap(async (body) => {
            const headers = Object.fromEntries(
              REPLAYED_HEADERS.flatMap((name) => (response.hasHeader(name) ? [[name, String(response.getHeader(name))]] : [])),
            );
            await (await this.keys).updateOne({ _id: id }, { $set: { completed: { status, body: body ?? null, headers } } });
            return body;
          }),
          catchError(async (error) => {
            const keys = await this.keys;
            if (isStoreUnavailable(error)) await keys.updateOne({ _id: id, completed: { $exists: false } }, { $set: { inDoubt: true } });
            else await keys.deleteOne({ _id: id, completed: { $exists: false } });
            throw error;
          }),
        );
      }),
    );
  }

  /**
   * Claims the key (or takes over one left in doubt); returns the stored answer when this is a retry of a
   * completed request, and when the key was first used.
   */
  private async claim(id: string, fingerprint: string): Promise<{ previous?: StoredResponse['completed']; firstTriedAt: number }> {
    const keys = await this.keys;
    const createdAt = new Date();
    try {
      await keys.insertOne({ _id: id, fingerprint, createdAt });
      return { firstTriedAt: createdAt.getTime() };
    } catch (error) {
      if (!(error instanceof MongoServerError) || error.code !== 11000) throw error;
    }
    const existing = await keys.findOne({ _id: id });
    if (!existing) return this.claim(id, fingerprint);
    if (existing.fingerprint !== fingerprint) {
      throw new UnprocessableEntityException(
        problem(422, `${IDEMPOTENCY_HEADER} was already used for a different request.`, { rule: 'idempotency.key-reused' }),
      );
    }
    if (!existing.completed && existing.inDoubt) {
      const taken = await keys.updateOne({ _id: id, inDoubt: true, completed: { $exists: false } }, { $unset: { inDoubt: '' } });
      if (taken.modifiedCount === 1) return { firstTriedAt: existing.createdAt.getTime() };
    }
    if (!existing.completed) {
      throw new ConflictException(
        problem(409, `A request with this ${IDEMPOTENCY_HEADER} is still being processed.`, { rule: 'idempotency.in-progress' }),
      );
    }
    return { previous: existing.completed, firstTriedAt: existing.createdAt.getTime() };
  }
}
