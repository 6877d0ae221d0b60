/** The services write one JSON object per line (libs/telemetry); these read them back for a person. */

interface LogLine {
  level?: string;
  service?: string;
  component?: string;
  msg?: string;
  error?: string;
}

function parse(line: string): LogLine | undefined {
  if (!line.startsWith('{')) return undefined;
  try {
    return JSON.parse(line) as LogLine;
  } catch {
    return undefined;
  }
}

/** Whether a line reports an error: its level, for a JSON line; else the word. */
export function reportsError(line: string): boolean {
  const parsed = parse(line);
  return parsed ? parsed.level === 'error' || parsed.level === 'fatal' : /\berror\b/i.test(line);
}

/** One line that says what happened: `ERROR [access] failed to start: ConfigurationError: ...` (other lines as they are). */
export function summarize(line: string): string {
  const parsed = parse(line);
  if (!parsed?.msg) return line;
  const where = [parsed.service, parsed.component].filter(Boolean).join('/');
  const cause = parsed.error?.split('\n')[0];
  return `${(parsed.level ?? 'info').toUpperCase()} [${where}] ${parsed.msg}${cause ? `: ${cause}` : ''}`;
}
