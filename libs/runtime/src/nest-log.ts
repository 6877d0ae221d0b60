import type { LoggerService } from '@nestjs/common';
import { logger } from '@cairn/telemetry';

const log = logger('nest');

/**
 * Nest's own lines (start-up, routes, what its exception filter logs) and every `new Logger(...)` of
 * the libraries, as lines of the process's log like all the others. Nest passes the context (the
 * class that logs) last, and an error's stack before it.
 */
export class NestLog implements LoggerService {
  log(message: unknown, ...rest: unknown[]): void {
    log.info(fieldsOf(rest), text(message));
  }

  warn(message: unknown, ...rest: unknown[]): void {
    log.warn(fieldsOf(rest), text(message));
  }

  error(message: unknown, ...rest: unknown[]): void {
    const [stack, ...others] = rest.length > 1 ? rest : [undefined, ...rest];
    log.error({ ...fieldsOf(others), ...(typeof stack === 'string' ? { stack } : {}) }, text(message));
  }

  debug(message: unknown, ...rest: unknown[]): void {
    log.debug(fieldsOf(rest), text(message));
  }

  verbose(message: unknown, ...rest: unknown[]): void {
    log.debug(fieldsOf(rest), text(message));
  }
}

function fieldsOf(rest: unknown[]): { context?: string } {
  const context = rest[rest.length - 1];
  return typeof context === 'string' ? { context } : {};
}

function text(message: unknown): string {
  if (message instanceof Error) return message.stack ?? message.message;
  return typeof message === 'string' ? message : JSON.stringify(message);
}
