/** One shell word that the shell takes literally, whatever it holds (`$(...)`, quotes, newlines). */
export function shellQuoted(word: string): string {
  if (word.includes('\0')) throw new Error('an argument holds a NUL character, which no command can be given');
  return `'${word.replace(/'/g, `'\\''`)}'`;
}
