import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { renderAsyncApiJson } from './asyncapi';
import { ALL_EVENT_DEFINITIONS } from './events';

/** Where the generated document is committed; a unit test fails when it lags behind the code. */
export const ASYNCAPI_FILE = join(__dirname, '..', 'asyncapi.json');

if (require.main === module) {
  writeFileSync(ASYNCAPI_FILE, renderAsyncApiJson(ALL_EVENT_DEFINITIONS));
  console.log(`wrote ${ASYNCAPI_FILE}`);
}
