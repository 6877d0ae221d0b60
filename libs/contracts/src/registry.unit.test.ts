import { defineEvent, EventDefinition } from './event-definition';
import { EventRegistry, UnknownEventTypeError } from './registry';

const noteSchema = { type: 'object', required: ['text'], properties: { text: { type: 'string' } } };
const notePosted = defineEvent<{ text: string }>()({ type: 'notes.note.posted.v1', description: 'A note was posted.', schema: noteSchema });
const noteEdited = defineEvent<{ text: string }>()({ type: 'notes.note.edited.v1', description: 'A note was edited.', schema: noteSchema });
const boardCreated = defineEvent<{ text: string }>()({ type: 'boards.board.created.v1', description: 'A board was created.', schema: noteSchema });

describe('EventRegistry', () => {
  it('is built from each context’s list and finds a definition by its type', () => {
    const registry = new EventRegistry([notePosted, noteEdited], [boardCreated]);

    expect(registry.get('notes.note.edited.v1')).toBe(noteEdited);
    expect(registry.require('boards.board.created.v1')).toBe(boardCreated);
    expect(registry.has('notes.note.deleted.v1')).toBe(false);
    expect(registry.get('notes.note.deleted.v1')).toBeUndefined();
  });

  it('lists every definition in registration order', () => {
    expect(new EventRegistry([notePosted, noteEdited], [boardCreated]).all()).toEqual([notePosted, noteEdited, boardCreated]);
  });

  it('refuses an unknown type where one is required', () => {
    expect(() => new EventRegistry([notePosted]).require('notes.note.deleted.v1')).toThrow(UnknownEventTypeError);
  });

  it.each(['notes.note.posted', 'notes.posted.v1', 'Notes.note.posted.v1', 'notes.note.posted.v0', 'notes.note.posted.v1.extra'])(
    'refuses the malformed type name %s',
    (type) => {
      const malformed: EventDefinition = { type, description: 'malformed', schema: noteSchema };
      expect(() => new EventRegistry([malformed])).toThrow('is not an event type name');
    },
  );

  it('refuses a type defined twice', () => {
    expect(() => new EventRegistry([notePosted], [{ ...notePosted }])).toThrow('"notes.note.posted.v1" is defined twice');
  });

  it('knows the newest version of each event', () => {
    const postedV3 = { ...notePosted, type: 'notes.note.posted.v3' };
    const registry = new EventRegistry([notePosted, postedV3, noteEdited]);

    expect(registry.latestVersionOf('notes.note.posted.v1')).toBe('notes.note.posted.v3');
    expect(registry.latestVersionOf('notes.note.posted.v3')).toBe('notes.note.posted.v3');
    expect(registry.latestVersionOf('notes.note.edited.v1')).toBe('notes.note.edited.v1');
  });

  it('places a type in the stream of the aggregate its name gives, unless the definition names another', () => {
    const commentAdded = { ...defineEvent<{ text: string }>()({ type: 'notes.comment.added.v1', description: 'A comment.', schema: noteSchema }), aggregate: 'note' };
    const registry = new EventRegistry([notePosted, commentAdded]);

    expect(registry.streamAggregateOf('notes.note.posted.v1')).toBe('note');
    expect(registry.streamAggregateOf('notes.comment.added.v1')).toBe('note');
    expect(registry.nameOf('notes.comment.added.v1')).toEqual({ context: 'notes', aggregate: 'comment', fact: 'added', version: 1 });
  });

  it('refuses a stream aggregate that cannot be part of a stream name', () => {
    expect(() => new EventRegistry([{ ...notePosted, aggregate: 'note_board' } as EventDefinition])).toThrow('stream aggregate "note_board"');
  });
});
