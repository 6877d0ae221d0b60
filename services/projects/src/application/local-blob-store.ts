import { createHash, randomUUID } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, open, rename, rm, stat } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { Transform, type Readable, type TransformCallback } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { BlobNotFoundError, BlobTooLargeError, type BlobStore, type StoredBlob } from './blob-store';

const KEY = /^[A-Za-z0-9_-]+(\/[A-Za-z0-9_-]+)*$/;

/** Counts and hashes the bytes passing through; fails once they pass the limit. */
class Measure extends Transform {
  size = 0;
  private readonly hash = createHash('sha256');

  constructor(private readonly maxBytes: number) {
    super();
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    this.size += chunk.length;
    if (this.size > this.maxBytes) return callback(new BlobTooLargeError(this.maxBytes));
    this.hash.update(chunk);
    callback(null, chunk);
  }

  digest(): string {
    return this.hash.digest('hex');
  }
}

/**
 * Blobs as files under `<root>/blobs/<key>`. A put writes to `<root>/tmp/`, fsyncs the file, renames it
 * into place and fsyncs the folder: after a crash a blob is either whole or absent, never half-written.
 */
export class LocalBlobStore implements BlobStore {
  private readonly blobs: string;
  private readonly tmp: string;

  constructor(root: string) {
    this.blobs = join(root, 'blobs');
    this.tmp = join(root, 'tmp');
  }

  async put(key: string, content: Readable, options: { maxBytes?: number } = {}): Promise<StoredBlob> {
    const target = this.pathOf(key);
    await mkdir(this.tmp, { recursive: true });
    const temporary = join(this.tmp, `${randomUUID()}.part`);
    const measure = new Measure(options.maxBytes ?? Number.POSITIVE_INFINITY);
    try {
      await pipeline(content, measure, createWriteStream(temporary, { flags: 'wx' }));
      // fsync flushes the file (its inode), whichever descriptor asks.
      await syncPath(temporary);
      await mkdir(dirname(target), { recursive: true });
      await rename(temporary, target);
      await syncPath(dirname(target));
    } catch (error) {
      await rm(temporary, { force: true });
      throw error;
    }
    return { size: measure.size, sha256: measure.digest() };
  }

  async get(key: string): Promise<{ content: Readable; size: number }> {
    const path = this.pathOf(key);
    const found = await stat(path).catch((error: NodeJS.ErrnoException) => {
      if (error.code === 'ENOENT') throw new BlobNotFoundError(key);
      throw error;
    });
    return { content: createReadStream(path), size: found.size };
  }

  async delete(key: string): Promise<void> {
    await rm(this.pathOf(key), { force: true });
  }

  private pathOf(key: string): string {
    if (!KEY.test(key)) throw new Error(`blob key "${key}" must be slash-separated letters, digits, '_' and '-'`);
    return join(this.blobs, key);
  }
}

/** fsync of a file, or of a folder to make a rename in it durable (POSIX: the entry is data of the folder). */
async function syncPath(path: string): Promise<void> {
  const handle = await open(path, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}
