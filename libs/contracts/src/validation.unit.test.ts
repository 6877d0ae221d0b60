import { v7 as uuidv7 } from 'uuid';
import { CairnEvent } from './envelope';
import { defineEvent } from './event-definition';
import { ALL_EVENT_DEFINITIONS, eventCatalogue } from './events';
import { EventRegistry } from './registry';
import { Upcasters } from './upcasting';
import { EventValidationError, EventValidator } from './validation';

interface NotePosted {
  noteId: string;
  text: string;
}

const notePosted = defineEvent<NotePosted>()({
  type: 'notes.note.posted.v1',
  description: 'A note was posted.',
  schema: {
    type: 'object',
    additionalProperties: false,
    required: ['noteId', 'text'],
    properties: { noteId: { type: 'string', minLength: 1 }, text: { type: 'string', minLength: 1 } },
  },
});

const validator = new EventValidator(new EventRegistry([notePosted]));

function storedNote(overrides: Partial<CairnEvent> = {}): CairnEvent {
  return {
    specversion: '1.0',
    id: uuidv7(),
    source: 'cairn/notes',
    type: 'notes.note.posted.v1',
    subject: 'note/n-1',
    time: '2025-03-01T10:00:00.000Z',
    datacontenttype: 'application/json',
    data: { noteId: 'n-1', text: 'hello' },
    streamid: 'notes_note-n-1',
    streamversion: 0,
    position: 42,
    actorid: 'u-alice',
    ...overrides,
  };
}

function withoutAttribute(attribute: keyof CairnEvent): unknown {
  const { [attribute]: _removed, ...rest } = storedNote();
  return rest;
}

describe('validateOnPublish', () => {
  it('accepts a known type whose data matches its schema', () => {
    expect(() => validator.validateOnPublish({ type: 'notes.note.posted.v1', data: { noteId: 'n-1', text: 'hi' } })).not.toThrow();
  });

  it('refuses an unknown type', () => {
    expect(() => validator.validateOnPublish({ type: 'notes.note.burned.v1', data: {} })).toThrow(
      new EventValidationError('notes.note.burned.v1', 'unknown event type "notes.note.burned.v1"'),
    );
  });

  it('refuses data that does not match the schema, naming every problem', () => {
    expect(() => validator.validateOnPublish({ type: 'notes.note.posted.v1', data: { text: '', colour: 'red' } })).toThrow(
      /data of notes.note.posted.v1: .*noteId.*; .*additional properties.*; \/text must NOT have fewer than 1 characters/,
    );
  });

  it('refuses an explicit id that is not a UUIDv7', () => {
    expect(() =>
      validator.validateOnPublish({ id: '3b241101-e2bb-4255-8caf-4136c566a962', type: 'notes.note.posted.v1', data: { noteId: 'n', text: 't' } }),
    ).toThrow('is not a UUIDv7');
  });
});

describe('validateOnConsume', () => {
  it('hands back a valid event', () => {
    const event = storedNote();
    expect(validator.validateOnConsume(event)).toEqual({ ok: true, event });
  });

  it.each(['specversion', 'id', 'source', 'type', 'subject', 'time', 'datacontenttype', 'data', 'streamid', 'streamversion', 'position'] as const)(
    'gives the reason when the envelope lacks %s',
    (attribute) => {
      expect(validator.validateOnConsume(withoutAttribute(attribute))).toEqual({
        ok: false,
        reason: `envelope: / must have required property '${attribute}'`,
      });
    },
  );

  it.each([
    ['a non-v7 id', { id: '3b241101-e2bb-4255-8caf-4136c566a962' }, '/id must match pattern'],
    ['another CloudEvents version', { specversion: '0.3' as '1.0' }, '/specversion must be equal to constant'],
    ['a source outside cairn', { source: 'https://example.org/notes' }, '/source must match pattern'],
    ['a malformed type', { type: 'NotePosted' }, '/type must match pattern'],
    ['a subject without an id', { subject: 'note' }, '/subject must match pattern'],
    ['a time that is no timestamp', { time: 'yesterday' }, '/time must match format "date-time"'],
    ['a negative stream version', { streamversion: -1 }, '/streamversion must be >= 0'],
    ['a fractional position', { position: 1.5 }, '/position must be integer'],
    ['an empty actor', { actorid: '' }, '/actorid must NOT have fewer than 1 characters'],
  ])('refuses an envelope with %s', (_case, overrides, problem) => {
    const result = validator.validateOnConsume(storedNote(overrides));
    expect(result.ok).toBe(false);
    expect(!result.ok && result.reason).toContain(`envelope: ${problem}`);
  });

  it('refuses what is not an object at all', () => {
    expect(validator.validateOnConsume('notes.note.posted.v1')).toEqual({ ok: false, reason: 'envelope: / must be object' });
  });

  it('tolerates extension attributes it does not know, as CloudEvents asks', () => {
    expect(validator.validateOnConsume({ ...storedNote(), traceparent: '00-abc-def-01' }).ok).toBe(true);
  });

  it('refuses a source from another context than the type', () => {
    expect(validator.validateOnConsume(storedNote({ source: 'cairn/boards' }))).toEqual({
      ok: false,
      reason: 'source "cairn/boards" does not match the context of type notes.note.posted.v1',
    });
  });

  it('refuses a subject that does not name the event’s stream', () => {
    expect(validator.validateOnConsume(storedNote({ subject: 'note/n-2' }))).toEqual({
      ok: false,
      reason: 'stream notes_note-n-1 is not the stream of subject "note/n-2" (notes_note-n-2)',
    });
    expect(validator.validateOnConsume(storedNote({ streamid: 'boards_note-n-1' })).ok).toBe(false);
  });

  it('refuses an unknown type', () => {
    expect(validator.validateOnConsume(storedNote({ type: 'notes.note.burned.v1' }))).toEqual({
      ok: false,
      reason: 'unknown event type "notes.note.burned.v1"',
    });
  });

  it('refuses data that does not match the type’s schema', () => {
    expect(validator.validateOnConsume(storedNote({ data: { noteId: 'n-1' } }))).toEqual({
      ok: false,
      reason: "data of notes.note.posted.v1: / must have required property 'text'",
    });
  });
});

describe('upcasting on consume', () => {
  const notePostedV2 = defineEvent<{ noteId: string; text: string; format: 'plain' | 'markdown' }>()({
    type: 'notes.note.posted.v2',
    description: 'A note was posted, with its text format.',
    schema: {
      type: 'object',
      required: ['noteId', 'text', 'format'],
      properties: { noteId: { type: 'string' }, text: { type: 'string' }, format: { enum: ['plain', 'markdown'] } },
    },
  });
  const registry = new EventRegistry([notePosted, notePostedV2]);

  it('hands a consumer the newest version of an old event', () => {
    const upcasting = new EventValidator(
      registry,
      new Upcasters([{ from: 'notes.note.posted.v1', to: 'notes.note.posted.v2', upcast: (data: NotePosted) => ({ ...data, format: 'plain' }) }]),
    );
    const old = storedNote();

    expect(upcasting.validateOnConsume(old)).toEqual({
      ok: true,
      event: { ...old, type: 'notes.note.posted.v2', data: { noteId: 'n-1', text: 'hello', format: 'plain' } },
    });
  });

  it('refuses an event whose upcast data breaks the newer schema', () => {
    const faulty = new EventValidator(
      registry,
      new Upcasters([{ from: 'notes.note.posted.v1', to: 'notes.note.posted.v2', upcast: (data: NotePosted) => ({ ...data, format: 'rtf' }) }]),
    );

    expect(faulty.validateOnConsume(storedNote())).toEqual({
      ok: false,
      reason: 'after upcasting notes.note.posted.v1: data of notes.note.posted.v2: /format must be equal to one of the allowed values',
    });
  });

  it('cannot be built when a superseded version has no upcaster', () => {
    expect(() => new EventValidator(registry)).toThrow('notes.note.posted.v1 is upcast to notes.note.posted.v1, but the newest version is notes.note.posted.v2');
  });
});

describe('the platform catalogue', () => {
  it('compiles the schema of every event type', () => {
    expect(eventCatalogue().registry.all()).toEqual(ALL_EVENT_DEFINITIONS);
  });

  it('refuses a schema Ajv cannot compile, at construction', () => {
    const broken = { ...notePosted, schema: { type: 'object', properties: { text: { type: 'text' } } } };
    expect(() => new EventValidator(new EventRegistry([broken]))).toThrow('schema of notes.note.posted.v1 does not compile');
  });
});
