import { useCallback, useEffect, useRef, useState } from 'preact/hooks';
import { problemOf, type Problem } from '../api/client';

export interface Loaded<T> {
  data?: T;
  problem?: Problem;
  loading: boolean;
  reload(): Promise<void>;
  /** Replaces the data shown (a live update, or the answer of a change). */
  set(update: (data: T | undefined) => T | undefined): void;
}

/** Loads `load()` when `key` changes; keeps the last answer while reloading, so pages do not flicker. */
export function useLoad<T>(load: () => Promise<T>, key: unknown[]): Loaded<T> {
  const [state, setState] = useState<{ data?: T; problem?: Problem; loading: boolean }>({ loading: true });
  const latest = useRef(0);
  const run = useCallback(async () => {
    const attempt = ++latest.current;
    setState((previous) => ({ ...previous, loading: true }));
    try {
      const data = await load();
      if (attempt === latest.current) setState({ data, loading: false });
    } catch (error) {
      if (attempt === latest.current) setState((previous) => ({ data: previous.data, problem: problemOf(error), loading: false }));
    }
    // The caller names what the load depends on, as with useEffect.
  }, key);
  useEffect(() => {
    void run();
  }, [run]);
  return {
    ...state,
    reload: run,
    set: (update) => setState((previous) => ({ ...previous, data: update(previous.data) })),
  };
}

/** A change in flight: `run` it; `problem` is what it was refused with, `busy` while it runs. */
export function useAction<A extends unknown[], R>(action: (...args: A) => Promise<R>) {
  const [busy, setBusy] = useState(false);
  const [problem, setProblem] = useState<Problem | undefined>();
  const run = async (...args: A): Promise<R | undefined> => {
    setBusy(true);
    setProblem(undefined);
    try {
      return await action(...args);
    } catch (error) {
      setProblem(problemOf(error));
      return undefined;
    } finally {
      setBusy(false);
    }
  };
  return { run, busy, problem, clear: () => setProblem(undefined) };
}
