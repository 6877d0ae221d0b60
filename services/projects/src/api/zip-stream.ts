import { crc32 } from 'node:zlib';
import type { Readable } from 'node:stream';

/** A file to put into a zip: its name inside the archive, its size, and its bytes when their turn comes. */
export interface ZipEntry {
  name: string;
  size: number;
  modifiedAt: Date;
  open(): Promise<Readable>;
}

/** Beyond this a zip needs ZIP64 records, which this writer does not make. */
export const ZIP_LIMIT_BYTES = 0xffff_ffff;

const STORED = 0;
/** Bit 3: sizes and CRC follow the data (it is streamed); bit 11: names are UTF-8. */
const FLAGS = 0x0808;
const VERSION = 20;

/**
 * A zip of the entries, streamed: each file's bytes go out as they are read, stored without
 * compression (outputs are mostly compressed formats already, and a crate must be quick to make),
 * each followed by its CRC-32 in a data descriptor. Throws before the first byte when the archive
 * would pass the 4 GiB a zip without ZIP64 can hold.
 */
export async function* zipStream(entries: readonly ZipEntry[]): AsyncGenerator<Buffer> {
  const total = entries.reduce((sum, entry) => sum + entry.size + 30 + 16 + 46 + 2 * Buffer.byteLength(entry.name), 22);
  if (total > ZIP_LIMIT_BYTES || entries.length > 0xffff) throw new RangeError(`the archive would hold ${total} bytes in ${entries.length} files, more than a zip without ZIP64 can`);
  const central: Buffer[] = [];
  let offset = 0;
  for (const entry of entries) {
    const name = Buffer.from(entry.name, 'utf8');
    const [time, date] = dosTimeOf(entry.modifiedAt);
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    writeEntryFields(local, 4, time, date);
    local.writeUInt16LE(name.length, 26);
    yield local;
    yield name;
    let crc = 0;
    let size = 0;
    for await (const chunk of await entry.open()) {
      const bytes = chunk as Buffer;
      crc = crc32(bytes, crc);
      size += bytes.length;
      yield bytes;
    }
    if (size !== entry.size) throw new Error(`${entry.name}: read ${size} bytes, its record says ${entry.size}`);
    const descriptor = Buffer.alloc(16);
    descriptor.writeUInt32LE(0x08074b50, 0);
    descriptor.writeUInt32LE(crc >>> 0, 4);
    descriptor.writeUInt32LE(size, 8);
    descriptor.writeUInt32LE(size, 12);
    yield descriptor;
    const header = Buffer.alloc(46);
    header.writeUInt32LE(0x02014b50, 0);
    header.writeUInt16LE(VERSION, 4);
    writeEntryFields(header, 6, time, date);
    header.writeUInt32LE(crc >>> 0, 16);
    header.writeUInt32LE(size, 20);
    header.writeUInt32LE(size, 24);
    header.writeUInt16LE(name.length, 28);
    header.writeUInt32LE(offset, 42);
    central.push(header, name);
    offset += local.length + name.length + size + descriptor.length;
  }
  const directory = Buffer.concat(central);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(entries.length, 8);
  end.writeUInt16LE(entries.length, 10);
  end.writeUInt32LE(directory.length, 12);
  end.writeUInt32LE(offset, 16);
  yield directory;
  yield end;
}

/** What a local header and its central directory entry both say, from `at` on: version needed, flags, method, time, date. */
function writeEntryFields(header: Buffer, at: number, time: number, date: number): void {
  header.writeUInt16LE(VERSION, at);
  header.writeUInt16LE(FLAGS, at + 2);
  header.writeUInt16LE(STORED, at + 4);
  header.writeUInt16LE(time, at + 6);
  header.writeUInt16LE(date, at + 8);
}

/** MS-DOS time and date (UTC; two-second steps; 1980 at the earliest), as zip headers hold them. */
function dosTimeOf(at: Date): [number, number] {
  const year = Math.max(1980, at.getUTCFullYear());
  return [(at.getUTCHours() << 11) | (at.getUTCMinutes() << 5) | Math.floor(at.getUTCSeconds() / 2), ((year - 1980) << 9) | ((at.getUTCMonth() + 1) << 5) | at.getUTCDate()];
}
