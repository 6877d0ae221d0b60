import { readFileSync } from 'node:fs';
import { MongoClient, type Collection, type Db, type Document } from 'mongodb';
import { startFerretDb, waitUntil, type FerretDbHandle } from './index';

/**
 * The FerretDB that `deploy/local/install-tools.sh` builds (v1.24.2 with its `IDColumn` patched) serves
 * `{_id}` lookups, updates and deletes from the collection's `_id` index. Unpatched, its SQLite backend
 * filtered with `_ferretdb_sjson->'$._id'` while the index is on `_ferretdb_sjson->"_id"`, and SQLite,
 * which matches index expressions literally, scanned the whole table every time.
 *
 * FerretDB's `explain` reads only a `filter` (find, count, aggregate): for `update` and `delete` it
 * explains an unfiltered SELECT, whatever their `q`. So for those two the statements FerretDB actually
 * runs are taken from its debug log, and each is shown to filter by the very expression the explained
 * find uses and that the index is built on.
 */

jest.setTimeout(30_000);

let ferret: FerretDbHandle;
let client: MongoClient;
let db: Db;
let things: Collection<Document>;
/** The SQLite table behind `things`, as FerretDB registered it. */
let table: string;

const DOCUMENTS = 1_000;
/** How FerretDB logs a statement at debug level: `>>> <SQL>\t{"args":[...],...}`. */
const STATEMENT = />>> (.*?)\t(\{"args".*\})$/;
const ID_EXPRESSION = '_ferretdb_sjson->"_id"';

interface Statement {
  sql: string;
  args: unknown[];
}

function loggedStatements(): Statement[] {
  return readFileSync(ferret.logFile, 'utf8')
    .split('\n')
    .flatMap((line) => {
      const match = STATEMENT.exec(line);
      return match ? [{ sql: match[1], args: (JSON.parse(match[2]) as { args: unknown[] | null }).args ?? [] }] : [];
    });
}

let markers = 0;
/**
 * The statements FerretDB ran for `operation` on `things`' table: those logged after one marker lookup
 * and before the next (the log reaches its file a moment after the statements run).
 */
async function statementsOf(operation: () => Promise<unknown>): Promise<string[]> {
  const mark = async () => {
    const marker = `marker-${++markers}`;
    await things.findOne({ _id: marker as never });
    let index = -1;
    await waitUntil(`FerretDB logs the lookup of ${marker}`, async () => {
      index = loggedStatements().findIndex((statement) => statement.args.includes(JSON.stringify(marker)));
      return index >= 0;
    });
    return index;
  };
  const from = await mark();
  await operation();
  const to = await mark();
  return loggedStatements()
    .slice(from + 1, to)
    .map((statement) => statement.sql)
    .filter((sql) => sql.includes(`"${table}"`));
}

beforeAll(async () => {
  ferret = await startFerretDb({ logLevel: 'debug' });
  client = await MongoClient.connect(ferret.url);
  db = client.db('id_index');
  things = db.collection('things');
  await things.insertMany(Array.from({ length: DOCUMENTS }, (_, index) => ({ _id: `d${index}` as never, n: index, _position: index })));
  await waitUntil('FerretDB logs the table it made for things', async () => {
    const registered = loggedStatements().find(
      (statement) => statement.sql.startsWith('INSERT INTO "_ferretdb_collections"') && statement.args[0] === 'things',
    );
    table = String(registered?.args[1] ?? '');
    return table !== '';
  });
});

afterAll(async () => {
  await client?.close();
  await ferret?.stop();
});

describe('FerretDB, as the tools script builds it', () => {
  it('finds by _id through the _id index, which is built on the expression the lookup filters by', async () => {
    let explained: Document = {};
    const statements = await statementsOf(async () => {
      explained = await db.command({ explain: { find: 'things', filter: { _id: 'd500' } } });
    });

    expect(explained.filterPushdown).toBe(true);
    expect(explained.queryPlanner.Plan).toEqual([expect.stringMatching(new RegExp(`SEARCH ${table} USING INDEX ${table}__id_ \\(<expr>=\\?\\)`))]);
    expect(statements).toEqual([`EXPLAIN QUERY PLAN SELECT  _ferretdb_sjson FROM "${table}" WHERE ${ID_EXPRESSION} = ?`]);
    expect(loggedStatements().map((statement) => statement.sql)).toContain(`CREATE UNIQUE INDEX "${table}__id_" ON "${table}" (${ID_EXPRESSION})`);
  });

  it('explains update and delete commands as an unfiltered scan, whatever their filter', async () => {
    const update = await db.command({ explain: { update: 'things', updates: [{ q: { _id: 'd7' }, u: { $set: { n: 0 } } }] } });
    const removal = await db.command({ explain: { delete: 'things', deletes: [{ q: { _id: 'd7' }, limit: 1 }] } });

    for (const explained of [update, removal]) {
      expect(explained.filterPushdown).toBe(false);
      expect(explained.queryPlanner.Plan).toEqual([expect.stringMatching(new RegExp(`SCAN ${table}$`))]);
    }
  });

  it('runs updateOne({_id}) as a SELECT and an UPDATE that both filter by the indexed expression', async () => {
    const statements = await statementsOf(() => things.updateOne({ _id: 'd7' as never }, { $set: { n: -7 } }));

    expect(statements).toEqual([
      `SELECT  _ferretdb_sjson FROM "${table}" WHERE ${ID_EXPRESSION} = ?`,
      `UPDATE "${table}" SET _ferretdb_sjson = ? WHERE ${ID_EXPRESSION} = ?`,
    ]);
    expect(await things.findOne({ _id: 'd7' as never })).toMatchObject({ n: -7 });
  });

  it('runs deleteOne({_id}) as a SELECT and a DELETE that both filter by the indexed expression', async () => {
    const statements = await statementsOf(() => things.deleteOne({ _id: 'd8' as never }));

    expect(statements).toEqual([
      `SELECT  _ferretdb_sjson FROM "${table}" WHERE ${ID_EXPRESSION} = ?`,
      `DELETE FROM "${table}" WHERE ${ID_EXPRESSION} IN (?)`,
    ]);
    expect(await things.findOne({ _id: 'd8' as never })).toBeNull();
  });

  it('scans the whole table for any other filter, an _id with a _position guard included', async () => {
    const explained = await db.command({ explain: { find: 'things', filter: { _id: 'd9', _position: { $lt: 100 } } } });

    expect(explained.filterPushdown).toBe(false);
    expect(explained.queryPlanner.Plan).toEqual([expect.stringMatching(new RegExp(`SCAN ${table}$`))]);
  });
});
