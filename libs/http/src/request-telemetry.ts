import { randomUUID } from 'node:crypto';
import type { NextFunction, Request, RequestHandler, Response } from 'express';
import {
  contextFromTraceHeaders,
  failSpan,
  histogram,
  logger,
  SpanKind,
  startSpan,
  withCorrelation,
  withSpan,
  type Correlation,
  type Span,
} from '@cairn/telemetry';

export const REQUEST_ID_HEADER = 'X-Request-Id';

const requestDuration = histogram({
  name: 'cairn_http_request_duration_seconds',
  help: 'HTTP requests by method, route (the path template) and status, and how long they took.',
  labelNames: ['method', 'route', 'status'] as const,
  buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
});

const log = logger('http');

/** Probes and scrapes come every few seconds from machines: counted, but not logged line by line. */
const UNLOGGED_PATHS = new Set(['/health/live', '/health/ready', '/metrics']);
/** Ids a client may choose: what logs and event envelopes can carry without escaping. */
const CLIENT_ID = /^[A-Za-z0-9._:-]{1,128}$/;
const TRACEPARENT = /^[0-9a-f]{2}-([0-9a-f]{32})-[0-9a-f]{16}-[0-9a-f]{2}$/;

interface RequestTelemetry {
  correlation: Correlation;
  span: Span;
}
const TELEMETRY = Symbol('cairn.request-telemetry');
type ObservedRequest = Request & { [TELEMETRY]?: RequestTelemetry; principal?: { userId: string } };

/**
 * A request's correlation id: the client's `X-Request-Id`, else the trace id of its `traceparent`, else
 * a new one. The events the request appends carry it, and so do the log lines of every service that
 * handles those events.
 */
export function correlationIdOf(headers: Request['headers']): string {
  const requestId = headers['x-request-id'];
  if (typeof requestId === 'string' && CLIENT_ID.test(requestId)) return requestId;
  const traceparent = headers.traceparent;
  const traced = typeof traceparent === 'string' ? TRACEPARENT.exec(traceparent) : null;
  return traced && !/^0+$/.test(traced[1]) ? traced[1] : randomUUID();
}

/**
 * First in every service's chain: continues the caller's trace in a server span, runs the request
 * as part of its correlation (answered in `X-Request-Id`), and once it is answered records its
 * latency by route and status and writes its one log line.
 */
export function observeRequests(): RequestHandler {
  return (req: ObservedRequest, res: Response, next: NextFunction) => {
    const started = process.hrtime.bigint();
    const path = req.path;
    const span = startSpan(req.method, { kind: SpanKind.SERVER, attributes: { 'http.request.method': req.method, 'url.path': path } }, contextFromTraceHeaders(req.headers));
    const correlationid = correlationIdOf(req.headers);
    const telemetry: RequestTelemetry = { correlation: { correlationid, causationid: correlationid }, span };
    req[TELEMETRY] = telemetry;
    res.setHeader(REQUEST_ID_HEADER, correlationid);
    let recorded = false;
    const record = () => {
      if (recorded) return;
      recorded = true;
      const seconds = Number(process.hrtime.bigint() - started) / 1e9;
      // The route matched (a template such as /api/labs/:lab/members), not the path: bounded labels.
      const route = req.route ? `${req.baseUrl}${String(req.route.path)}` : 'unmatched';
      const status = res.writableFinished ? res.statusCode : 499;
      requestDuration.observe({ method: req.method, route, status: String(status) }, seconds);
      span.updateName(`${req.method} ${route}`);
      span.setAttributes({ 'http.route': route, 'http.response.status_code': status });
      if (status >= 500) failSpan(span, new Error(`answered ${status}`));
      span.end();
      if (UNLOGGED_PATHS.has(path)) return;
      const fields = {
        method: req.method,
        route,
        path: req.originalUrl,
        status,
        durationMs: Math.round(seconds * 1e4) / 10,
        ...(req.principal ? { actorid: req.principal.userId } : {}),
        ...telemetry.correlation,
      };
      if (status >= 500) log.error(fields, 'request');
      else log.info(fields, 'request');
    };
    res.once('finish', record);
    res.once('close', record);
    continueRequest(telemetry, next);
  };
}

/**
 * After the body parsers: they call `next` from the socket's data events, which run outside the
 * request's async context, so the controllers would not see its correlation and span without this.
 */
export function reenterRequestContext(): RequestHandler {
  return (req: ObservedRequest, _res: Response, next: NextFunction) => {
    const telemetry = req[TELEMETRY];
    if (telemetry) continueRequest(telemetry, next);
    else next();
  };
}

function continueRequest(telemetry: RequestTelemetry, next: NextFunction): void {
  withSpan(telemetry.span, () => withCorrelation(telemetry.correlation, () => next()));
}
