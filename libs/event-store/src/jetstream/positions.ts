import type { JetStreamManager, MsgRequest } from 'nats';
import { sharedFromCall } from '../freshness';
import type { LogIndex } from '../log-index';
import type { PositionProbe } from '../port';
import { categoryFilterSubjects, DEFAULT_SUBJECT_PREFIX } from './codec';

/**
 * Positions of a JetStream stream, asked of the stream leader (stream info, message get): in a cluster a
 * replica's direct get may lag, and a freshness check on a lagging answer would vouch for too little.
 */
export class JetStreamPositions implements PositionProbe {
  /** Many commands at once share one stream-info request (never one sent before they asked). */
  readonly headPosition: () => Promise<number>;

  constructor(
    private readonly jsm: JetStreamManager,
    private readonly streamName: string,
    private readonly subjectPrefix = DEFAULT_SUBJECT_PREFIX,
    /** A tail of this stream (`JetStreamLogTail`), when the process follows one. */
    readonly index?: LogIndex,
  ) {
    this.headPosition = sharedFromCall(async () => (await jsm.streams.info(streamName)).state.last_seq);
  }

  firstPositionAfter(position: number, categories: string[]): Promise<number | undefined> {
    return firstSequenceAfter(this.jsm, this.streamName, categoryFilterSubjects(categories, this.subjectPrefix), position);
  }
}

/** The sequence of the first message of any of these subjects after `position` (from the stream leader), if any. */
export async function firstSequenceAfter(jsm: JetStreamManager, stream: string, subjects: string[], position: number): Promise<number | undefined> {
  const firsts = await Promise.all(
    subjects.map((subject) =>
      jsm.streams
        // The v2 client's declarations lack `next_by_subj`, which the server has long had.
        .getMessage(stream, { seq: position + 1, next_by_subj: subject } as unknown as MsgRequest)
        .then((message) => message.seq, ignoreNoMessage),
    ),
  );
  const found = firsts.filter((sequence): sequence is number => sequence !== undefined);
  return found.length > 0 ? Math.min(...found) : undefined;
}

function ignoreNoMessage(error: Error): undefined {
  if (/no message found/i.test(error.message)) return undefined;
  throw error;
}
