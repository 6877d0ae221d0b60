import { DiscardPolicy, RetentionPolicy, StorageType, type JetStreamClient, type NatsConnection } from 'nats';
import { JOB_END_TYPES, readEventHeader } from '@cairn/contracts';
import { directReader, sequenceOf, type DirectReader } from '@cairn/event-store';

/** Log chunks are not domain events: they live in a stream of their own, never in `CAIRN_EVENTS`. */
export const JOB_LOGS_STREAM = 'CAIRN_JOB_LOGS';
const SUBJECT_PREFIX = 'cairn.logs';
/** JetStream's answer to a second message on a subject that holds one: the chunk was recorded already. */
const SUBJECT_FULL = 10077;

export interface LogChunk {
  /** 1, 2, 3... per job, in the order the runner read them. */
  seq: number;
  stream: 'stdout' | 'stderr';
  text: string;
  /** When the jobs service recorded it. */
  at: string;
}

const subjectOf = (jobId: string, seq: number) => `${SUBJECT_PREFIX}.${jobId}.${seq}`;
const everyChunkOf = (jobId: string) => `${SUBJECT_PREFIX}.${jobId}.*`;

/**
 * Every job's log as ordered chunks. Each chunk has a subject of its own (`cairn.logs.<jobId>.<seq>`)
 * that holds at most one message, and the server refuses a second: a retried chunk is recorded once,
 * however late it comes, with no window to outlive. Chunks are kept as long as the stream keeps them
 * (no age limit: "Logs of finished jobs stay readable").
 */
export class JobLogs {
  private readonly direct: DirectReader;

  private constructor(
    private readonly nc: NatsConnection,
    private readonly js: JetStreamClient,
  ) {
    this.direct = directReader(nc, JOB_LOGS_STREAM);
  }

  static async open(nc: NatsConnection, replicas?: number): Promise<JobLogs> {
    const jsm = await nc.jetstreamManager();
    const existing = await jsm.streams.info(JOB_LOGS_STREAM).catch(() => undefined);
    if (!existing) {
      await jsm.streams
        .add({
          name: JOB_LOGS_STREAM,
          subjects: [`${SUBJECT_PREFIX}.>`],
          retention: RetentionPolicy.Limits,
          storage: StorageType.File,
          max_msgs_per_subject: 1,
          discard: DiscardPolicy.New,
          discard_new_per_subject: true,
          allow_direct: true,
          ...(replicas === undefined ? {} : { num_replicas: replicas }),
        })
        .catch((error: Error) => {
          if (!/already in use/i.test(error.message)) throw error;
        });
    }
    return new JobLogs(nc, nc.jetstream());
  }

  /** False when the chunk was recorded before (a retry). */
  async append(jobId: string, chunk: LogChunk): Promise<boolean> {
    try {
      await this.js.publish(subjectOf(jobId, chunk.seq), JSON.stringify(chunk));
      return true;
    } catch (error) {
      if ((error as { api_error?: { err_code?: number } }).api_error?.err_code === SUBJECT_FULL) return false;
      throw error;
    }
  }

  /** The chunks after `after`, in order, at most `limit`. */
  async read(jobId: string, after: number, limit: number): Promise<LogChunk[]> {
    // Chunks arrive in order, so the stream holds those after `after` behind it: start reading there.
    const from = after > 0 ? await this.direct.last(subjectOf(jobId, after)) : undefined;
    const fromSequence = from ? sequenceOf(from) + 1 : 1;
    const chunks = (await this.direct.readSubject(everyChunkOf(jobId), fromSequence)).map((message) => message.json<LogChunk>());
    return chunks
      .filter((chunk) => chunk.seq > after)
      .sort((a, b) => a.seq - b.seq)
      .slice(0, limit);
  }

  /** Every chunk recorded from now on, as it arrives (core NATS sees what the stream stores); returns the stop. */
  follow(jobId: string, onChunk: (chunk: LogChunk) => void): () => void {
    const subscription = this.nc.subscribe(everyChunkOf(jobId), { callback: (error, message) => !error && onChunk(message.json<LogChunk>()) });
    return () => subscription.unsubscribe();
  }
}

export interface LogFollowing {
  /** A chunk, in order, each once. */
  onChunk(chunk: LogChunk): void;
  /** The job has ended and every chunk up to its end was handed over. */
  onEnd(): void;
  onError(error: Error): void;
}

/**
 * "With Accept: text/event-stream the same route streams new chunks live until the job ends": the
 * chunks after `after`, then each new one as it is recorded, then the end. New chunks are listened to
 * before the history is read, so none falls between the two; the end is the job's ending event, after
 * which the chunks recorded before it are read once more (a runner reports its last chunks first).
 */
export function followLog(
  source: { logs: JobLogs; nc: NatsConnection; jobEventsSubject: string; hasEnded(): Promise<boolean> },
  jobId: string,
  after: number,
  following: LogFollowing,
): () => void {
  let last = after;
  let live = false;
  let finished = false;
  const early: LogChunk[] = [];
  const hand = (chunk: LogChunk) => {
    if (finished || chunk.seq <= last) return;
    last = chunk.seq;
    following.onChunk(chunk);
  };
  const stopChunks = source.logs.follow(jobId, (chunk) => (live ? hand(chunk) : early.push(chunk)));
  const finish = async () => {
    if (finished) return;
    for (const chunk of await source.logs.read(jobId, last, Number.MAX_SAFE_INTEGER)) hand(chunk);
    finished = true;
    stop();
    following.onEnd();
  };
  const events = source.nc.subscribe(source.jobEventsSubject, {
    callback: (error, message) => {
      if (!error && JOB_END_TYPES.has(readEventHeader(message.headers, 'type') ?? '')) finish().catch(following.onError);
    },
  });
  const stop = () => {
    stopChunks();
    events.unsubscribe();
  };
  (async () => {
    for (const chunk of await source.logs.read(jobId, after, Number.MAX_SAFE_INTEGER)) hand(chunk);
    live = true;
    early.sort((a, b) => a.seq - b.seq).forEach(hand);
    if (await source.hasEnded()) await finish();
  })().catch(following.onError);
  return () => {
    finished = true;
    stop();
  };
}
