import type { AuthConfig } from '../config';

type OidcConfig = Extract<AuthConfig, { mode: 'oidc' }>;

/** What the authorization request left for the callback: the PKCE verifier and the state it must echo. */
interface PendingSignIn {
  verifier: string;
  state: string;
  returnTo: string;
}

const PENDING = 'cairn.oidc.pending';
export const CALLBACK_PATH = '/auth/callback';

function base64Url(bytes: Uint8Array): string {
  return btoa(String.fromCharCode(...bytes)).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

function randomText(bytes = 32): string {
  return base64Url(crypto.getRandomValues(new Uint8Array(bytes)));
}

/** RFC 7636 S256: the challenge is the base64url SHA-256 of the verifier. */
export async function pkceChallenge(verifier: string): Promise<string> {
  return base64Url(new Uint8Array(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(verifier))));
}

interface Discovery {
  authorization_endpoint: string;
  token_endpoint: string;
}

async function discover(issuer: string): Promise<Discovery> {
  const response = await fetch(`${issuer.replace(/\/$/, '')}/.well-known/openid-configuration`);
  if (!response.ok) throw new Error(`the identity provider ${issuer} did not describe itself (${response.status})`);
  return (await response.json()) as Discovery;
}

/** The authorization-code flow with PKCE: off to the provider, back at /auth/callback. */
export async function startOidcSignIn(config: OidcConfig, returnTo: string): Promise<void> {
  const { authorization_endpoint } = await discover(config.issuer);
  const pending: PendingSignIn = { verifier: randomText(), state: randomText(16), returnTo };
  sessionStorage.setItem(PENDING, JSON.stringify(pending));
  const url = new URL(authorization_endpoint);
  url.search = new URLSearchParams({
    response_type: 'code',
    client_id: config.clientId,
    redirect_uri: `${location.origin}${CALLBACK_PATH}`,
    scope: config.scope,
    state: pending.state,
    code_challenge: await pkceChallenge(pending.verifier),
    code_challenge_method: 'S256',
    ...(config.audience ? { audience: config.audience } : {}),
  }).toString();
  location.assign(url.toString());
}

/** At /auth/callback: checks the state, trades the code (with the verifier) for the access token. */
export async function finishOidcSignIn(config: OidcConfig, search: string): Promise<{ token: string; returnTo: string }> {
  const params = new URLSearchParams(search);
  const pending = JSON.parse(sessionStorage.getItem(PENDING) ?? 'null') as PendingSignIn | null;
  sessionStorage.removeItem(PENDING);
  if (params.get('error')) throw new Error(`the identity provider refused: ${params.get('error_description') ?? params.get('error')}`);
  if (!pending || params.get('state') !== pending.state) throw new Error('this sign-in was not started here (its state does not match); sign in again');
  const code = params.get('code');
  if (!code) throw new Error('the identity provider sent no authorization code');
  const { token_endpoint } = await discover(config.issuer);
  const response = await fetch(token_endpoint, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({
      grant_type: 'authorization_code',
      code,
      redirect_uri: `${location.origin}${CALLBACK_PATH}`,
      client_id: config.clientId,
      code_verifier: pending.verifier,
    }),
  });
  const body = (await response.json()) as { access_token?: string; error_description?: string; error?: string };
  if (!response.ok || !body.access_token) throw new Error(`the token exchange failed: ${body.error_description ?? body.error ?? response.status}`);
  return { token: body.access_token, returnTo: pending.returnTo };
}
