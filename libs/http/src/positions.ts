import {
  BadRequestException,
  Inject,
  Injectable,
  Optional,
  type CallHandler,
  type ExecutionContext,
  type NestInterceptor,
} from '@nestjs/common';
import type { Request, Response } from 'express';
import { mergeMap, type Observable } from 'rxjs';
import { NotCaughtUpError } from '@cairn/event-store';
import { problem } from './problem';

export const POSITION_HEADER = 'Cairn-Position';
export const MIN_POSITION_HEADER = 'Cairn-Min-Position';

/** What a command endpoint returns: the body, and the store position a later read can wait for. */
export class CommandResult<T> {
  constructor(
    readonly position: number,
    readonly body: T,
  ) {}
}

/** Something that knows whether this service's read models have caught up with a position. */
export interface ConsistencyGate {
  waitFor(position: number, timeoutMs: number): Promise<boolean>;
}
export const CONSISTENCY_GATE = Symbol('CONSISTENCY_GATE');
export const MIN_POSITION_TIMEOUT_MS = Symbol('MIN_POSITION_TIMEOUT_MS');
export const BUS_POSITION_OF = Symbol('BUS_POSITION_OF');

/** Unwraps CommandResult into the body plus the `Cairn-Position` header (a bus position). */
@Injectable()
export class PositionHeaderInterceptor implements NestInterceptor {
  constructor(@Inject(BUS_POSITION_OF) private readonly busPositionOf: (storePosition: number) => Promise<number>) {}

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    if (context.getType() !== 'http') return next.handle();
    return next.handle().pipe(
      mergeMap(async (value) => {
        if (!(value instanceof CommandResult)) return value;
        const position = await this.busPositionOf(value.position);
        context.switchToHttp().getResponse<Response>().setHeader(POSITION_HEADER, String(position));
        return value.body;
      }),
    );
  }
}

/**
 * Read-your-writes across services: a read carrying `Cairn-Min-Position` waits (bounded) until this
 * service's projections have passed that position, else answers 503 with Retry-After.
 */
@Injectable()
export class MinPositionInterceptor implements NestInterceptor {
  constructor(
    @Optional() @Inject(CONSISTENCY_GATE) private readonly gate?: ConsistencyGate,
    @Optional() @Inject(MIN_POSITION_TIMEOUT_MS) private readonly timeoutMs = 2_000,
  ) {}

  async intercept(context: ExecutionContext, next: CallHandler): Promise<Observable<unknown>> {
    if (context.getType() !== 'http') return next.handle();
    const request = context.switchToHttp().getRequest<Request>();
    const raw = request.headers[MIN_POSITION_HEADER.toLowerCase()];
    if (raw !== undefined && this.gate) {
      const position = Number(raw);
      if (!Number.isSafeInteger(position) || position < 0) {
        throw new BadRequestException(
          problem(400, `${MIN_POSITION_HEADER} must be a non-negative integer.`, {
            rule: 'consistency.bad-position',
            errors: [{ field: MIN_POSITION_HEADER, message: 'must be a non-negative integer' }],
          }),
        );
      }
      if (!(await this.gate.waitFor(position, this.timeoutMs))) {
        throw new NotCaughtUpError(`The read models have not reached position ${position} yet; retry shortly.`);
      }
    }
    return next.handle();
  }
}
