import { cpus, loadavg } from 'node:os';
import { performance } from 'node:perf_hooks';
import { BatchSpanProcessor, type ReadableSpan, type SpanExporter } from '@opentelemetry/sdk-trace-base';
import { MongoClient } from 'mongodb';
import { connect } from 'nats';
import { pino } from 'pino';
import { JetStreamEventStore } from '@cairn/event-store';
import { ProjectionRunner } from '@cairn/read-models';
import { renameCounts, renameProject } from '@cairn/read-models/test-support';
import { configureLogging, startTracing, type Tracing } from '@cairn/telemetry';
import { startFerretDb, startNatsServer } from '@cairn/testing';

/**
 * What observing costs where it is paid most: the projection runner, which writes a log line and ends a
 * span for every event it applies. The same runner over the same events, on the same nats-server and
 * FerretDB, once with nothing recorded (logging not configured, no tracer) and once as a service runs
 * with `OTEL_EXPORTER_OTLP_ENDPOINT` set: every line written as JSON (to /dev/null) and every span
 * recorded and batched for export (to an exporter that drops them), alternated. Target: observed / silent ≥ 0.8.
 */

const EVENTS = 3_000;
const PROJECTS = 300;
const IN_FLIGHT = 32;
const BATCH = 200;
const TARGET = 0.8;
const ROUNDS = 2;

/** Takes spans as an OTLP exporter would, and sends them nowhere. */
const discardingExporter: SpanExporter = {
  export: (_spans: ReadableSpan[], done) => done({ code: 0 }),
  shutdown: async () => undefined,
};

export async function run(): Promise<void> {
  const [nats, ferret] = await Promise.all([startNatsServer(), startFerretDb()]);
  const nc = await connect(nats.connectionOptions());
  const mongo = await MongoClient.connect(ferret.url);
  let tracing: Tracing | undefined;
  try {
    const store = await JetStreamEventStore.connect({ nc });
    let next = 0;
    await Promise.all(
      Array.from({ length: IN_FLIGHT }, async () => {
        while (next < EVENTS) {
          const index = next++;
          await renameProject(store, `p${index % PROJECTS}`, `name-${index}`);
        }
      }),
    );
    const head = await store.headPosition();
    const db = mongo.db('bench_telemetry');
    const rate = async (name: string) => {
      const started = performance.now();
      const runner = await ProjectionRunner.start({ nc, db, projection: renameCounts(name), consumer: { batchSize: BATCH } });
      await new Promise<void>((resolve) => {
        const check = () => runner.appliedPosition >= head && resolve();
        runner.onProgress(check);
        check();
      });
      const seconds = (performance.now() - started) / 1000;
      await runner.stop();
      return EVENTS / seconds;
    };

    // Alternated, best of each: the machine is shared, and a later run finds warmer caches.
    const silent: number[] = [];
    const observed: number[] = [];
    for (let round = 1; round <= ROUNDS; round++) {
      configureLogging({ service: 'bench', level: 'silent' });
      silent.push(await rate(`counts_silent_${round}`));
      configureLogging({ service: 'bench', destination: pino.destination({ dest: '/dev/null', sync: false }) });
      tracing = startTracing({ service: 'bench', spanProcessors: [new BatchSpanProcessor(discardingExporter)] });
      observed.push(await rate(`counts_observed_${round}`));
      await tracing.shutdown();
      tracing = undefined;
    }
    const ratio = Math.max(...observed) / Math.max(...silent);

    const format = (perSecond: number) => `${Math.round(perSecond).toLocaleString('en-US')} events/s`;
    console.log(`${EVENTS.toLocaleString('en-US')} events into FerretDB v1.24.2 (SQLite), nats-server v2.15.2; ${cpus().length} cores, load ${loadavg()[0].toFixed(2)}`);
    console.log(`  projection runner, nothing recorded               ${silent.map(format).join(', ')}`);
    console.log(`  projection runner, JSON line + span per event     ${observed.map(format).join(', ')}`);
    console.log(`  ratio observed / silent (best of ${ROUNDS} each)        ${ratio.toFixed(2)} (target ≥ ${TARGET}: ${ratio >= TARGET ? 'met' : 'NOT met'})`);
  } finally {
    await tracing?.shutdown();
    configureLogging({ service: 'bench', level: 'silent' });
    await mongo.close();
    await nc.close();
    await Promise.all([nats.stop(), ferret.stop()]);
  }
}
