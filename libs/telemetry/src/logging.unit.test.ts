import { context, trace } from '@opentelemetry/api';
import { withCorrelation } from './correlation';
import { configureLogging, logger } from './logging';
import { startTracing } from './tracing';

describe('the process log', () => {
  const lines: Record<string, unknown>[] = [];
  beforeAll(() => {
    startTracing({ service: 'unit' });
    configureLogging({ service: 'unit', destination: { write: (line: string) => void lines.push(JSON.parse(line) as Record<string, unknown>) } });
  });
  beforeEach(() => lines.splice(0));

  it('writes one JSON object per line: level by name, ISO time, the service and the component', () => {
    logger('http').info({ status: 201 }, 'request');
    expect(lines).toEqual([{ level: 'info', time: expect.stringMatching(/^\d{4}-\d\d-\d\dT.*Z$/), service: 'unit', component: 'http', status: 201, msg: 'request' }]);
  });

  it('adds the correlation and the trace of the work in hand to every line', () => {
    const span = trace.wrapSpanContext({ traceId: '4bf92f3577b34da6a3ce929d0e0e4736', spanId: '00f067aa0ba902b7', traceFlags: 1 });
    context.with(trace.setSpan(context.active(), span), () =>
      withCorrelation({ correlationid: 'request-1', causationid: 'event-2' }, () => logger('events').info({}, 'event handled')),
    );
    expect(lines[0]).toMatchObject({ correlationid: 'request-1', causationid: 'event-2', trace_id: '4bf92f3577b34da6a3ce929d0e0e4736', span_id: '00f067aa0ba902b7' });
  });

  it('follows a later configuration, even in a component log made before it', () => {
    const early = logger('early');
    configureLogging({ service: 'unit', level: 'warn', destination: { write: (line: string) => void lines.push(JSON.parse(line) as Record<string, unknown>) } });
    early.info({}, 'below the level');
    early.warn({}, 'at the level');
    expect(lines.map((line) => line.msg)).toEqual(['at the level']);
  });
});
