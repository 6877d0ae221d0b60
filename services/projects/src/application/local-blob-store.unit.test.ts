import { createHash } from 'node:crypto';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { text } from 'node:stream/consumers';
import { BlobNotFoundError, BlobTooLargeError } from './blob-store';
import { LocalBlobStore } from './local-blob-store';

describe('LocalBlobStore (a local folder, CAIRN_DATA_DIR)', () => {
  let root: string;
  let store: LocalBlobStore;
  const content = (...chunks: string[]) => Readable.from(chunks.map((chunk) => Buffer.from(chunk)));

  beforeEach(async () => {
    root = await mkdtemp(join(tmpdir(), 'cairn-blobs-'));
    store = new LocalBlobStore(root);
  });
  afterEach(() => rm(root, { recursive: true, force: true }));

  it('stores streamed content and answers its size and SHA-256; get streams it back', async () => {
    const stored = await store.put('p1/f1', content('hello ', 'world'));
    expect(stored).toEqual({ size: 11, sha256: createHash('sha256').update('hello world').digest('hex') });
    const { content: back, size } = await store.get('p1/f1');
    expect(size).toBe(11);
    expect(await text(back)).toBe('hello world');
  });

  it('content over maxBytes is refused and nothing is left, not even a temporary file', async () => {
    await expect(store.put('p1/big', content('12345', '6'), { maxBytes: 5 })).rejects.toBeInstanceOf(BlobTooLargeError);
    await expect(store.get('p1/big')).rejects.toBeInstanceOf(BlobNotFoundError);
    expect(await readdir(join(root, 'tmp'))).toEqual([]);
  });

  it('a failing source leaves nothing behind', async () => {
    const failing = new Readable({
      read() {
        this.destroy(new Error('connection reset'));
      },
    });
    await expect(store.put('p1/broken', failing)).rejects.toThrow('connection reset');
    await expect(store.get('p1/broken')).rejects.toBeInstanceOf(BlobNotFoundError);
    expect(await readdir(join(root, 'tmp'))).toEqual([]);
  });

  it('delete is idempotent', async () => {
    await store.put('p1/f2', content('x'));
    await store.delete('p1/f2');
    await store.delete('p1/f2');
    await expect(store.get('p1/f2')).rejects.toBeInstanceOf(BlobNotFoundError);
  });

  it('keys are the service\'s own ids: anything that could leave the folder is refused', async () => {
    for (const key of ['../escape', 'p1/../../etc', '/abs', 'p1//f', 'p1/f.txt']) {
      await expect(store.put(key, content('x'))).rejects.toThrow(/blob key/);
    }
  });
});
