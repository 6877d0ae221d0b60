/** How this deployment signs people in, as the edge (or the console's nginx) serves it at /config.json. */
export type AuthConfig =
  | { mode: 'dev' }
  | { mode: 'oidc'; issuer: string; clientId: string; scope: string; audience?: string }
  /** No sign-in service: people paste a bearer token (`npm run token`, or one from their identity provider). */
  | { mode: 'token' };

export interface ConsoleConfig {
  auth: AuthConfig;
}

export async function loadConfig(fetcher: typeof fetch = fetch): Promise<ConsoleConfig> {
  const response = await fetcher('/config.json', { headers: { accept: 'application/json' } });
  if (!response.ok) return { auth: { mode: 'token' } };
  return (await response.json()) as ConsoleConfig;
}
