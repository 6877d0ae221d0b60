/** Runs a benchmark (or the runner) to its end and exits with its outcome, printing a failure's stack. */
export function exitWith(work: Promise<unknown>): void {
  work.then(
    () => process.exit(0),
    (error: Error) => {
      console.error(error.stack ?? error.message);
      process.exit(1);
    },
  );
}
