import { createParamDecorator, type ExecutionContext } from '@nestjs/common';
import type { Request } from 'express';
import { MIN_POSITION_HEADER } from './positions';

/**
 * The request's `Cairn-Min-Position`, for reads and checks the application makes itself (the shared
 * interceptor has already refused a malformed one and waited for the read models).
 */
export const MinPosition = createParamDecorator((_: unknown, context: ExecutionContext): number | undefined => {
  const raw = context.switchToHttp().getRequest<Request>().headers[MIN_POSITION_HEADER.toLowerCase()];
  const position = Number(raw);
  return typeof raw === 'string' && Number.isSafeInteger(position) && position >= 0 ? position : undefined;
});
