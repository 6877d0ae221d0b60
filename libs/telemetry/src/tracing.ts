import {
  context,
  propagation,
  ROOT_CONTEXT,
  SpanKind,
  SpanStatusCode,
  trace,
  type Attributes,
  type Context,
  type Span,
} from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BatchSpanProcessor, type SpanProcessor } from '@opentelemetry/sdk-trace-base';
import { NodeTracerProvider } from '@opentelemetry/sdk-trace-node';
import { ATTR_SERVICE_NAME } from '@opentelemetry/semantic-conventions';

export { SpanKind, SpanStatusCode, type Context, type Span };

export interface TracingOptions {
  service: string;
  env?: NodeJS.ProcessEnv;
  /** Where spans go instead of OTLP (a test's in-memory exporter). */
  spanProcessors?: SpanProcessor[];
}

export interface Tracing {
  /** Whether spans are recorded and sent anywhere. */
  readonly exporting: boolean;
  /** Sends what is still buffered, then stops recording. */
  shutdown(): Promise<void>;
}

/** W3C trace context as it travels in HTTP headers, NATS headers and the events' envelopes. */
export interface TraceHeaders {
  traceparent?: string;
  tracestate?: string;
}

let propagating = false;

/**
 * Context propagation is always on, so a trace started upstream goes on through this service's
 * events even when this service records nothing; spans are recorded and sent over OTLP only when
 * `OTEL_EXPORTER_OTLP_ENDPOINT` is set (the exporter reads the standard `OTEL_EXPORTER_OTLP_*`
 * variables itself), or to the processors a test passes.
 */
export function startTracing(options: TracingOptions): Tracing {
  if (!propagating) {
    context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
    propagation.setGlobalPropagator(new W3CTraceContextPropagator());
    propagating = true;
  }
  const env = options.env ?? process.env;
  const spanProcessors = options.spanProcessors ?? (env.OTEL_EXPORTER_OTLP_ENDPOINT ? [new BatchSpanProcessor(new OTLPTraceExporter())] : []);
  if (spanProcessors.length === 0) return { exporting: false, shutdown: async () => undefined };
  const provider = new NodeTracerProvider({ resource: resourceFromAttributes({ [ATTR_SERVICE_NAME]: options.service }), spanProcessors });
  trace.setGlobalTracerProvider(provider);
  return {
    exporting: true,
    shutdown: async () => {
      await provider.shutdown();
      trace.disable();
    },
  };
}

const tracer = () => trace.getTracer('cairn');

/** Starts a span as a child of `parent` (default: the active context); the caller ends it. */
export function startSpan(name: string, options: { kind?: SpanKind; attributes?: Attributes }, parent: Context = context.active()): Span {
  return tracer().startSpan(name, options, parent);
}

/** Runs `work` in a new child span of the active one, which ends with it (as an error if `work` throws). */
export async function inSpan<T>(name: string, attributes: Attributes, work: (span: Span) => Promise<T>): Promise<T> {
  return tracer().startActiveSpan(name, { attributes }, async (span) => {
    try {
      return await work(span);
    } catch (error) {
      failSpan(span, error);
      throw error;
    } finally {
      span.end();
    }
  });
}

export function failSpan(span: Span, error: unknown): void {
  span.recordException(error instanceof Error ? error : String(error));
  span.setStatus({ code: SpanStatusCode.ERROR, message: error instanceof Error ? error.message : String(error) });
}

/** Runs `work` with `span` as the active span. */
export function withSpan<T>(span: Span, work: () => T): T {
  return context.with(trace.setSpan(context.active(), span), work);
}

/** The trace context of the active span, to hand on (empty when there is none). */
export function currentTraceHeaders(): TraceHeaders {
  const carrier: TraceHeaders = {};
  propagation.inject(context.active(), carrier);
  return carrier;
}

/** The context a received message or request continues (the root context when it carries none). */
export function contextFromTraceHeaders(headers: Record<string, string | string[] | undefined>): Context {
  return propagation.extract(ROOT_CONTEXT, headers);
}

/** Trace and span id of the active span, for log lines. */
export function activeTraceIds(): { trace_id: string; span_id: string } | undefined {
  const span = trace.getSpanContext(context.active());
  return span && trace.isSpanContextValid(span) ? { trace_id: span.traceId, span_id: span.spanId } : undefined;
}
