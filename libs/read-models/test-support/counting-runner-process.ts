/**
 * A projection process for the crash test: runs `renameCounts` until it has applied `UNTIL_POSITION`.
 * With `KILL_AFTER_EVENTS`, it kills itself (SIGKILL: no cleanup of any kind) once a batch has been
 * written that brings it to that many events, before the batch's checkpoint is stored.
 */
import { MongoClient } from 'mongodb';
import { connect } from 'nats';
import { ProjectionRunner } from '../src/projection-runner';
import { renameCounts } from './counting-projection';

async function main(): Promise<void> {
  const { NATS_URL, MONGO_URL, DB_NAME, UNTIL_POSITION, KILL_AFTER_EVENTS } = process.env;
  const killAfter = KILL_AFTER_EVENTS ? Number(KILL_AFTER_EVENTS) : undefined;
  const nc = await connect({ servers: NATS_URL });
  const mongo = await MongoClient.connect(MONGO_URL!);
  let written = 0;
  const runner = await ProjectionRunner.start({
    nc,
    db: mongo.db(DB_NAME),
    projection: renameCounts(),
    consumer: { batchSize: 4, ackWaitMs: 1_000, longPollMs: 300, pinnedTtlMs: 2_000 },
    hooks: {
      afterWrite(events) {
        written += events.length;
        if (killAfter !== undefined && written >= killAfter) process.kill(process.pid, 'SIGKILL');
      },
    },
  });
  await new Promise<void>((resolve) => {
    const done = () => runner.appliedPosition >= Number(UNTIL_POSITION) && resolve();
    runner.onProgress(done);
    done();
  });
  await runner.stop();
  await nc.close();
  await mongo.close();
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
