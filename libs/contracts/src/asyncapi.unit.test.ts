import { readFileSync } from 'node:fs';
import { AsyncApiDocument, buildAsyncApiDocument, renderAsyncApiJson } from './asyncapi';
import { defineEvent } from './event-definition';
import { ALL_EVENT_DEFINITIONS } from './events';
import { ASYNCAPI_FILE } from './generate-asyncapi';

const noteSchema = { type: 'object', required: ['noteId'], properties: { noteId: { type: 'string' } } };
const notePosted = defineEvent<{ noteId: string }>()({ type: 'notes.note.posted.v1', description: 'A note was posted.', schema: noteSchema });
const noteArchived = defineEvent<{ noteId: string }>()({ type: 'notes.note.archived.v1', description: 'A note was archived.', schema: noteSchema });
const commentAdded = {
  ...defineEvent<{ noteId: string }>()({ type: 'notes.comment.added.v1', description: 'A comment was added to a note.', schema: noteSchema }),
  aggregate: 'thread',
};

/** Follows a local `$ref` (`#/a/b`) through the document. */
function resolve(document: AsyncApiDocument, ref: string): unknown {
  return ref
    .replace(/^#\//, '')
    .split('/')
    .reduce<unknown>((node, key) => (node as Record<string, unknown> | undefined)?.[key], document);
}

function refsIn(node: unknown): string[] {
  if (Array.isArray(node)) return node.flatMap(refsIn);
  if (node === null || typeof node !== 'object') return [];
  return Object.entries(node).flatMap(([key, value]) => (key === '$ref' && typeof value === 'string' ? [value] : refsIn(value)));
}

describe('buildAsyncApiDocument', () => {
  const document = buildAsyncApiDocument([notePosted, noteArchived, commentAdded]);

  it('is an AsyncAPI 3.0 document', () => {
    expect(document.asyncapi).toBe('3.0.0');
    expect(document.defaultContentType).toBe('application/cloudevents+json');
  });

  it('has one channel per aggregate stream, addressed by the NATS subject of one aggregate', () => {
    expect(Object.keys(document.channels)).toEqual(['notes.note', 'notes.thread']);
    expect(document.channels['notes.note']).toMatchObject({
      address: 'cairn.events.notes.note.{id}',
      parameters: { id: expect.any(Object) },
      messages: {
        'notes.note.posted.v1': { $ref: '#/components/messages/notes.note.posted.v1' },
        'notes.note.archived.v1': { $ref: '#/components/messages/notes.note.archived.v1' },
      },
    });
    expect(document.channels['notes.thread'].address).toBe('cairn.events.notes.thread.{id}');
    expect(Object.keys(document.channels['notes.thread'].messages)).toEqual(['notes.comment.added.v1']);
  });

  it('describes the publishing of each channel’s messages', () => {
    expect(document.operations['notes.note.publish']).toMatchObject({
      action: 'send',
      channel: { $ref: '#/channels/notes.note' },
      messages: [
        { $ref: '#/channels/notes.note/messages/notes.note.posted.v1' },
        { $ref: '#/channels/notes.note/messages/notes.note.archived.v1' },
      ],
    });
  });

  it('gives each event type a message whose payload is the envelope with the type’s data schema', () => {
    const message = document.components.messages['notes.comment.added.v1'];
    expect(message.summary).toBe('A comment was added to a note.');
    expect(message.payload).toEqual({
      allOf: [
        { $ref: '#/components/schemas/CairnEventEnvelope' },
        {
          type: 'object',
          properties: { type: { const: 'notes.comment.added.v1' }, source: { const: 'cairn/notes' }, data: noteSchema },
        },
      ],
    });
  });

  it('lists the headers of the structured form: content-type, the cairn-* attributes and no ce-* header', () => {
    const [trait] = document.components.messages['notes.note.posted.v1'].traits;
    const { description, headers } = resolve(document, trait.$ref) as { description: string; headers: { required: string[]; properties: Record<string, unknown> } };

    expect(document.components.messages['notes.note.posted.v1'].contentType).toBe('application/cloudevents+json');
    expect(headers.properties['content-type']).toMatchObject({ const: 'application/cloudevents+json' });
    const required = ['content-type', 'Nats-Msg-Id', 'cairn-id', 'cairn-type', 'cairn-source', 'cairn-subject', 'cairn-time', 'cairn-streamid', 'cairn-streamversion'];
    expect(headers.required).toEqual(required);
    expect(Object.keys(headers.properties)).toEqual([...required, 'cairn-actorid', 'cairn-correlationid', 'cairn-causationid', 'traceparent', 'tracestate']);
    // Where a replay meets the earlier form, and how to read it.
    expect(description).toContain('Messages stored before Cairn 0.2.0 have the same body, but no `content-type` header');
  });

  it('describes the body as sent: the envelope without position, which is the stream sequence', () => {
    const envelope = document.components.schemas.CairnEventEnvelope as { required: string[]; properties: Record<string, unknown> };
    expect(envelope.required).not.toContain('position');
    expect(envelope.properties).not.toHaveProperty('position');
  });

  it('has no reference that leads nowhere', () => {
    const refs = refsIn(document);
    expect(refs.length).toBeGreaterThan(0);
    expect(refs.filter((ref) => resolve(document, ref) === undefined)).toEqual([]);
  });
});

describe('the committed asyncapi.json', () => {
  it('is what the code generates (regenerate: npx ts-node -T libs/contracts/src/generate-asyncapi.ts)', () => {
    expect(readFileSync(ASYNCAPI_FILE, 'utf8')).toBe(renderAsyncApiJson(ALL_EVENT_DEFINITIONS));
  });
});
