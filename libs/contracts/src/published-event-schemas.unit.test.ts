import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ALL_EVENT_DEFINITIONS } from './events';

/**
 * The JSON Schema of every event type ever published, as subscribers received it. A published version
 * never changes (a new field means a new version and an upcaster): a new type is added to the file once,
 * and an edit of an existing entry is the mistake this spec catches.
 */
const PUBLISHED_FILE = join(__dirname, '..', 'published-event-schemas.json');
const published = JSON.parse(readFileSync(PUBLISHED_FILE, 'utf8')) as Record<string, unknown>;
const defined = new Map(ALL_EVENT_DEFINITIONS.map((definition) => [definition.type as string, definition.schema]));

describe('published event schemas', () => {
  it.each(Object.keys(published))('%s still has the schema it was published with', (type) => {
    expect(defined.get(type)).toEqual(published[type]);
  });

  it('records every defined event type in libs/contracts/published-event-schemas.json', () => {
    expect([...defined.keys()].filter((type) => !(type in published))).toEqual([]);
  });
});
