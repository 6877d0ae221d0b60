import { randomBytes } from 'node:crypto';

/** The FerretDB that the Jest global setup starts once per run, shared by test files through unique databases. */
export function testMongoUrl(): string {
  const url = process.env.CAIRN_TEST_MONGO_URL;
  if (!url) throw new Error('CAIRN_TEST_MONGO_URL is not set: run tests through jest (its global setup starts FerretDB)');
  return url;
}

/** A database name no other test file uses: `<prefix>_<random>` (FerretDB names: letters, digits, '_'). */
export function uniqueDbName(prefix: string): string {
  return `${prefix.replace(/[^A-Za-z0-9_]/g, '_')}_${randomBytes(4).toString('hex')}`;
}
