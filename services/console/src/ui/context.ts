import { createContext } from 'preact';
import { useContext } from 'preact/hooks';
import type { Api } from '../api/client';
import type { ConsoleConfig } from '../config';
import type { Session } from '../session/session';

export interface ConsoleContextValue {
  api: Api;
  config: ConsoleConfig;
  session: Session;
  signOut(): void;
}

export const ConsoleContext = createContext<ConsoleContextValue | undefined>(undefined);

/** The signed-in console: its API clients, configuration and session. */
export function useConsole(): ConsoleContextValue {
  const value = useContext(ConsoleContext);
  if (!value) throw new Error('useConsole outside a signed-in console');
  return value;
}
