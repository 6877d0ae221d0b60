/**
 * How a command tells how far it is: a line `##cairn-progress <fraction 0..1> [message]` on stdout (the
 * demo programs print one per input). The line stays in the log as well.
 */
export const PROGRESS_LINE_PREFIX = '##cairn-progress';

const PROGRESS_LINE = /^##cairn-progress[ \t]+([0-9]*\.?[0-9]+)(?:[ \t]+(.*?))?\s*$/;
const MAX_MESSAGE_LENGTH = 200;

export interface Progress {
  fraction: number;
  message?: string;
}

/** The progress a line announces (the fraction held to 0..1), or undefined for any other line. */
export function progressOf(line: string): Progress | undefined {
  const match = PROGRESS_LINE.exec(line);
  if (!match) return undefined;
  const fraction = Math.min(1, Math.max(0, Number(match[1])));
  const message = match[2]?.slice(0, MAX_MESSAGE_LENGTH);
  return message ? { fraction, message } : { fraction };
}

/** The line a program prints to announce its progress. */
export const progressLine = (fraction: number, message?: string): string => `${PROGRESS_LINE_PREFIX} ${Number(fraction.toFixed(4))}${message ? ` ${message}` : ''}`;
