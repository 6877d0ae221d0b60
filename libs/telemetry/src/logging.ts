import { createRequire } from 'node:module';
import { pino, stdTimeFunctions, type DestinationStream, type Logger } from 'pino';
import type PinoPretty from 'pino-pretty';
import { currentCorrelation } from './correlation';
import { activeTraceIds } from './tracing';

export type LogFormat = 'json' | 'pretty';

export interface LoggingOptions {
  service: string;
  /** pino level: `debug`, `info` (default), `warn`, `error`, `silent`. */
  level?: string;
  /** One JSON object per line (default), or coloured lines for a person at a terminal. */
  format?: LogFormat;
  /** Where lines go instead of standard output (a test's capture). */
  destination?: DestinationStream;
}

/**
 * pino-pretty, when installed. It is a development dependency: production images carry none and log
 * JSON, which is what a log collector reads anyway.
 */
function loadPrettifier(): typeof PinoPretty | undefined {
  try {
    return (createRequire(__filename)('pino-pretty') as { default: typeof PinoPretty }).default;
  } catch {
    return undefined;
  }
}

/**
 * `CAIRN_LOG_LEVEL`, and `CAIRN_LOG_FORMAT` (default: pretty on a terminal where pino-pretty is
 * installed, JSON otherwise; `pretty` where it is not installed is refused at start).
 */
export function loggingFromEnv(service: string, env: NodeJS.ProcessEnv = process.env): LoggingOptions {
  const format = env.CAIRN_LOG_FORMAT ?? (process.stdout.isTTY && loadPrettifier() ? 'pretty' : 'json');
  if (format !== 'json' && format !== 'pretty') throw new Error(`CAIRN_LOG_FORMAT must be "json" or "pretty", got "${format}"`);
  if (format === 'pretty' && !loadPrettifier()) throw new Error('CAIRN_LOG_FORMAT=pretty needs pino-pretty, a development dependency this installation does not have');
  return { service, format, level: env.CAIRN_LOG_LEVEL || 'info' };
}

/** Options shared by a service's own lines and `npm start`'s rendering of them. */
export const PRETTY_OPTIONS = {
  colorize: true,
  translateTime: 'SYS:HH:MM:ss.l',
  messageFormat: '[{service}/{component}] {msg}',
  ignore: 'pid,hostname,service,component',
  singleLine: true,
} as const;

/** Until a process configures logging (a service's `runService` does), nothing is written. */
let root: Logger = pino({ enabled: false });

/**
 * The process's log: every line names the service and carries the correlation and trace ids of the
 * request or event being handled, so one request can be followed through every service's log.
 */
export function configureLogging(options: LoggingOptions): Logger {
  const prettify = options.format === 'pretty' ? loadPrettifier() : undefined;
  const destination = options.destination ?? prettify?.({ ...PRETTY_OPTIONS, sync: true });
  const settings = {
    level: options.level ?? 'info',
    base: { service: options.service },
    timestamp: stdTimeFunctions.isoTime,
    formatters: { level: (label: string) => ({ level: label }) },
    mixin: () => ({ ...currentCorrelation(), ...activeTraceIds() }),
  };
  root = destination ? pino(settings, destination) : pino(settings);
  return root;
}

/** The log of one part of a service (`http`, `projection`, ...). */
export interface ComponentLog {
  debug(fields: object, message: string): void;
  info(fields: object, message: string): void;
  warn(fields: object, message: string): void;
  error(fields: object, message: string): void;
}

/** A component's log; safe to create before logging is configured (it follows the current configuration). */
export function logger(component: string): ComponentLog {
  let bound: { root: Logger; child: Logger } | undefined;
  const child = (): Logger => {
    if (bound?.root !== root) bound = { root, child: root.child({ component }) };
    return bound.child;
  };
  return {
    debug: (fields, message) => child().debug(fields, message),
    info: (fields, message) => child().info(fields, message),
    warn: (fields, message) => child().warn(fields, message),
    error: (fields, message) => child().error(fields, message),
  };
}
