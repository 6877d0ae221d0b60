/**
 * A projection process for the crash tests: runs `renameCounts` (named `PROJECTION`, default
 * `rename_counts`) until it has applied `UNTIL_POSITION`. With `KILL_AFTER_EVENTS`, it kills itself
 * (SIGKILL: no cleanup of any kind) once a batch has been written that brings it to that many events,
 * before the batch's checkpoint is stored; with `KILL_MARKER` too, only if it is the first process to
 * create that file (of several replicas, the one that writes dies). `ACK_WAIT_MS` and `PINNED_TTL_MS`
 * set its consumer's.
 */
import { openSync } from 'node:fs';
import { MongoClient } from 'mongodb';
import { connect } from 'nats';
import { natsConnectionOptions } from '@cairn/messaging';
import { ProjectionRunner } from '../src/projection-runner';
import { renameCounts } from './counting-projection';

async function main(): Promise<void> {
  const { MONGO_URL, DB_NAME, UNTIL_POSITION, KILL_AFTER_EVENTS, KILL_MARKER, PROJECTION, ACK_WAIT_MS, PINNED_TTL_MS } = process.env;
  const killAfter = KILL_AFTER_EVENTS ? Number(KILL_AFTER_EVENTS) : undefined;
  const firstToDie = () => {
    if (!KILL_MARKER) return true;
    try {
      openSync(KILL_MARKER, 'wx');
      return true;
    } catch {
      return false;
    }
  };
  // As the projects service (its events are what it counts), with NATS_URL and NATS_NKEY_SEED_FILE.
  const nc = await connect(natsConnectionOptions({ kind: 'service', context: 'projects' }));
  const mongo = await MongoClient.connect(MONGO_URL!);
  let written = 0;
  const runner = await ProjectionRunner.start({
    nc,
    db: mongo.db(DB_NAME),
    projection: renameCounts(PROJECTION),
    consumer: { batchSize: 4, ackWaitMs: Number(ACK_WAIT_MS ?? 1_000), longPollMs: 300, pinnedTtlMs: Number(PINNED_TTL_MS ?? 2_000) },
    hooks: {
      afterWrite(events) {
        written += events.length;
        if (killAfter !== undefined && written >= killAfter && firstToDie()) process.kill(process.pid, 'SIGKILL');
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
