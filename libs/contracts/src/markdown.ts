import { invalidField } from './errors';
import type { Mention } from './events/logbook.events';

/** A lab's directory for resolving mentions: lower-cased username → the person. */
export type LabDirectory = ReadonlyMap<string, Mention>;

/**
 * `@username` where it starts a word: not inside an e-mail address (`bob@example.org`) and not after
 * another `@`. A trailing dot ends the sentence, not the name.
 */
const MENTION = /(?<![\w@.])@([a-z0-9](?:[a-z0-9._-]*[a-z0-9_-])?)/gi;

/** The usernames a markdown body mentions, lower-cased, each once in order of first mention. */
export function mentionedNames(body: string): string[] {
  return [...new Set([...body.matchAll(MENTION)].map((match) => match[1].toLowerCase()))];
}

/**
 * The people of the lab directory (lower-cased username → person) that the body mentions; an unknown
 * `@name` stays plain text and names nobody.
 */
export function mentionsIn(body: string, directory: ReadonlyMap<string, Mention>): Mention[] {
  return mentionedNames(body).flatMap((name) => {
    const person = directory.get(name);
    return person ? [person] : [];
  });
}

/** Markdown kept as written (whitespace matters to it), not blank, at most `maxLength` characters. */
export function requireMarkdown(value: string, field: string, maxLength: number): string {
  if (typeof value !== 'string' || value.trim().length === 0) throw invalidField('fields.text-required', field, 'must not be blank');
  if (value.length > maxLength) throw invalidField('fields.text-too-long', field, `must be at most ${maxLength.toLocaleString('en')} characters`);
  return value;
}
