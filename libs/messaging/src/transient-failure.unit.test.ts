import {
  MongoBulkWriteError,
  MongoInvalidArgumentError,
  MongoNetworkError,
  MongoNetworkTimeoutError,
  MongoServerError,
  MongoServerSelectionError,
  MongoTopologyClosedError,
  type BulkWriteResult,
} from 'mongodb';
import { ErrorCode, NatsError } from 'nats';
import { NotCaughtUpError, StoreUnavailableError, WrongExpectedVersionError } from '@cairn/event-store';
import { UnprocessableEvent } from './delivery-policy';
import { isTransientFailure } from './transient-failure';

/** A server error as the driver builds it from the server's answer. */
function serverError(code: number, errorLabels: string[] = []): MongoServerError {
  return new MongoServerError({ message: `server error ${code}`, code, errorLabels });
}

/** What the driver throws once no server answered within `serverSelectionTimeoutMS`. */
function serverSelectionError(): MongoServerSelectionError {
  const description = { error: new MongoNetworkError('connect ECONNREFUSED 127.0.0.1:27017') };
  return new MongoServerSelectionError('connect ECONNREFUSED 127.0.0.1:27017', description as never);
}

describe('isTransientFailure', () => {
  describe('says a dependency did not answer (retried until it does, never dead-lettered)', () => {
    it.each([
      ['a lost MongoDB connection', new MongoNetworkError('connection 3 to 127.0.0.1:27017 closed')],
      ['a MongoDB socket timeout', new MongoNetworkTimeoutError('connection timed out')],
      ['no MongoDB server selectable within serverSelectionTimeoutMS', serverSelectionError()],
      ['a MongoDB client whose topology is closed', new MongoTopologyClosedError()],
      ['a MongoDB server error labelled RetryableWriteError', serverError(91, ['RetryableWriteError'])],
      ['a MongoDB error labelled ResetPool', serverError(1, ['ResetPool'])],
      ['a MongoDB error labelled RetryableError', serverError(1, ['RetryableError'])],
      ['a MongoDB server shutting down (InterruptedAtShutdown)', serverError(11600)],
      ['a MongoDB primary that stepped down (NotWritablePrimary)', serverError(10107)],
      ['a bulk write cut off by a lost connection', new MongoBulkWriteError(new MongoNetworkError('connection reset'), {} as BulkWriteResult)],
      ['a NATS request timeout', new NatsError('TIMEOUT', ErrorCode.Timeout)],
      ['a NATS disconnect', new NatsError('DISCONNECT', ErrorCode.Disconnect)],
      ['a closed NATS connection', new NatsError('CONNECTION_CLOSED', ErrorCode.ConnectionClosed)],
      ['no responders on a JetStream API subject (a server still starting)', new NatsError('503', ErrorCode.NoResponders)],
      ['an append whose outcome the event store could not learn in time', new StoreUnavailableError('no leader for CAIRN_EVENTS')],
      ['a read model a command decides on that has not caught up', new NotCaughtUpError('job_search did not catch up within 1000 ms')],
      ['an error caused by a NATS timeout', new Error('append failed', { cause: new NatsError('TIMEOUT', ErrorCode.Timeout) })],
    ])('%s', (_case, error) => {
      expect(isTransientFailure(error)).toBe(true);
    });
  });

  describe('leaves to the dead-letter policy what is the event’s or the handler’s own failure', () => {
    it.each([
      ['a handler’s plain error', new Error('cannot read properties of undefined')],
      ['a bug (TypeError)', new TypeError('x is not a function')],
      ['an event the domain refuses', new UnprocessableEvent('unknown scheme')],
      ['a duplicate key', serverError(11000)],
      ['an update MongoDB (or FerretDB) refuses', serverError(2)],
      ['a bulk write refused by the server', new MongoBulkWriteError({ message: 'E11000 duplicate key', code: 11000 }, {} as BulkWriteResult)],
      ['an invalid driver argument', new MongoInvalidArgumentError('bad filter')],
      ['an append that lost a race (expected version)', new WrongExpectedVersionError('projects-project-p1', 3, 4)],
      ['a NATS permissions violation', new NatsError('PERMISSIONS_VIOLATION', ErrorCode.PermissionsViolation)],
      ['a NATS payload over the limit', new NatsError('MAX_PAYLOAD_EXCEEDED', ErrorCode.MaxPayloadExceeded)],
      ['something that is not an error', 'boom'],
      ['nothing', undefined],
    ])('%s', (_case, error) => {
      expect(isTransientFailure(error)).toBe(false);
    });
  });
});
