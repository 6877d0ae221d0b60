import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { zipStream, type ZipEntry } from './zip-stream';

const entryOf = (name: string, content: Buffer): ZipEntry => ({ name, size: content.length, modifiedAt: new Date('2026-12-07T10:11:12Z'), open: async () => Readable.from([content.subarray(0, 3), content.subarray(3)]) });

async function zipOf(entries: ZipEntry[]): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of zipStream(entries)) chunks.push(chunk);
  return Buffer.concat(chunks);
}

describe('a streamed zip (stored, data descriptors)', () => {
  it("reads back with Python's zipfile: names, bytes and CRCs as written", async () => {
    const files = { 'ro-crate-metadata.json': Buffer.from('{"@graph":[]}\n'), 'sub/stats.json': Buffer.from('{"n":1}'), 'ümlaut.txt': Buffer.alloc(70_000, 7), 'empty.txt': Buffer.alloc(0) };
    const path = join(mkdtempSync(join(tmpdir(), 'cairn-zip-')), 'crate.zip');
    writeFileSync(path, await zipOf(Object.entries(files).map(([name, content]) => entryOf(name, content))));
    const script = 'import hashlib,json,sys,zipfile\nz=zipfile.ZipFile(sys.argv[1])\nassert z.testzip() is None\nprint(json.dumps({i.filename: hashlib.sha256(z.read(i)).hexdigest() for i in z.infolist()}))';
    const listed = JSON.parse(execFileSync('python3', ['-c', script, path], { encoding: 'utf8' })) as Record<string, string>;
    const { createHash } = await import('node:crypto');
    expect(listed).toEqual(Object.fromEntries(Object.entries(files).map(([name, content]) => [name, createHash('sha256').update(content).digest('hex')])));
  });

  it('refuses, before a byte, an archive past what a zip without ZIP64 holds', async () => {
    const huge: ZipEntry = { name: 'big.bin', size: 2 ** 32, modifiedAt: new Date(), open: async () => Readable.from([]) };
    await expect(zipOf([huge])).rejects.toThrow(/without ZIP64/);
  });

  it("fails when a file's bytes are not as long as its record says", async () => {
    await expect(zipOf([{ ...entryOf('a.txt', Buffer.from('abcdef')), size: 7 }])).rejects.toThrow(/read 6 bytes, its record says 7/);
  });
});
