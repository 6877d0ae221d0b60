import { invalidField } from '@cairn/contracts';

/** Trimmed, not blank, at most `maxLength` characters. */
export function requireLine(value: string, field: string, maxLength: number): string {
  const line = typeof value === 'string' ? value.trim() : '';
  if (line.length === 0) throw invalidField('fields.text-required', field, 'must not be blank');
  if (line.length > maxLength) throw invalidField('fields.text-too-long', field, `must be at most ${maxLength} characters`);
  return line;
}
