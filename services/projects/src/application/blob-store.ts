import type { Readable } from 'node:stream';

export interface StoredBlob {
  size: number;
  /** Lower-case hex SHA-256 of the bytes. */
  sha256: string;
}

/** A put refused because the content passed `maxBytes`; nothing was stored. */
export class BlobTooLargeError extends Error {
  constructor(readonly maxBytes: number) {
    super(`the content is larger than ${maxBytes} bytes`);
    this.name = 'BlobTooLargeError';
  }
}

export class BlobNotFoundError extends Error {
  constructor(readonly key: string) {
    super(`no blob ${key}`);
    this.name = 'BlobNotFoundError';
  }
}

/**
 * Where file bytes live; file records are events. Keys are chosen by the service (`<projectId>/<fileId>`),
 * never by users, so a user's path names a file but never a place in the store. A local folder now, an
 * S3-compatible store later.
 */
export interface BlobStore {
  /** Stores the content under `key`, all or nothing: a reader never sees part of it. */
  put(key: string, content: Readable, options?: { maxBytes?: number }): Promise<StoredBlob>;
  /** Throws `BlobNotFoundError` when there is nothing under `key`. */
  get(key: string): Promise<{ content: Readable; size: number }>;
  /** Idempotent: deleting what is not there succeeds. */
  delete(key: string): Promise<void>;
}
