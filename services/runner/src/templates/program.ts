import { parseArgs, type ParseArgsConfig } from 'node:util';

/** A mistake in how the program was called: it exits with 2 and says what was wrong. */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

/** Where a demo program writes what it says: the runner turns both into the job's log. */
export interface ProgramOutput {
  out(line: string): void;
  err(line: string): void;
}

export const processOutput: ProgramOutput = {
  out: (line) => process.stdout.write(`${line}\n`),
  err: (line) => process.stderr.write(`${line}\n`),
};

type Options = NonNullable<ParseArgsConfig['options']>;

/** `--name value` options and the input paths after them; unknown options are a usage error. */
export function parseProgramArguments<O extends Options>(argv: string[], options: O) {
  try {
    return parseArgs({ args: argv, options, allowPositionals: true, strict: true });
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
}

/**
 * An option's value, or its fallback when the option is absent or empty: a template parameter the job
 * left out expands to the empty string.
 */
export function optionOr(value: string | boolean | undefined, fallback: string): string {
  return typeof value === 'string' && value !== '' ? value : fallback;
}

export function integerOption(name: string, raw: string, min: number, max: number): number {
  const value = Number(raw);
  if (!Number.isInteger(value) || value < min || value > max) throw new UsageError(`--${name} must be an integer from ${min} to ${max}, got "${raw}"`);
  return value;
}

export function choiceOption<T extends string>(name: string, raw: string, choices: readonly T[]): T {
  if (!(choices as readonly string[]).includes(raw)) throw new UsageError(`--${name} must be one of ${choices.join(', ')}, got "${raw}"`);
  return raw as T;
}

/** Runs a program's main as a process: exit 0, 2 for a usage error, 1 for anything else. */
export function runAsProcess(main: (argv: string[], output: ProgramOutput) => Promise<void>): void {
  main(process.argv.slice(2), processOutput).then(
    () => {
      process.exitCode = 0;
    },
    (error: Error) => {
      process.stderr.write(`${error instanceof UsageError ? 'usage: ' : ''}${error.message}\n`);
      process.exitCode = error instanceof UsageError ? 2 : 1;
    },
  );
}
