import type { ComponentChildren } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { problemOf, type Problem } from '../api/client';
import type { AuthConfig, ConsoleConfig } from '../config';
import { navigate } from '../router';
import { demoPeople, devToken, type DemoPerson } from '../session/dev-sign-in';
import { finishOidcSignIn, startOidcSignIn } from '../session/oidc';
import { storeSession, type Session } from '../session/session';
import { Button, Field } from '../ui/forms';
import { ProblemMessage } from '../ui/problem';

interface SignInProps {
  config: ConsoleConfig;
  /** Dev mode: sign in as this person at once (the link `npm start` prints). */
  as?: string;
  returnTo: string;
  onSignedIn(session: Session): void;
}

function Frame({ children }: { children: ComponentChildren }) {
  return (
    <main class="sign-in" id="main">
      <div class="sign-in-card">
        <p class="brand sign-in-brand">
          <span aria-hidden="true" class="brand-mark">
            ◭
          </span>{' '}
          Cairn
        </p>
        {children}
      </div>
    </main>
  );
}

/** Dev mode: the demo people of `npm start`, or anyone by username. */
function DevSignIn({ as, returnTo, onSignedIn }: Omit<SignInProps, 'config'>) {
  const [people, setPeople] = useState<DemoPerson[]>([]);
  const [problem, setProblem] = useState<Problem | undefined>();
  const [username, setUsername] = useState('');
  const signIn = async (name: string) => {
    try {
      onSignedIn(storeSession(await devToken(name)));
      navigate(returnTo, { replace: true });
    } catch (error) {
      setProblem(problemOf(error));
    }
  };
  useEffect(() => {
    if (as) void signIn(as);
    else void demoPeople().then(setPeople);
  }, [as]);
  if (as && !problem) return <p role="status">Signing you in as {as}…</p>;
  return (
    <>
      <h1>Sign in</h1>
      <p class="muted">This platform runs locally with dev sign-in. Pick one of the demo people:</p>
      <ProblemMessage problem={problem} />
      <ul class="people-picker">
        {people.map((person) => (
          <li key={person.username}>
            <button type="button" class="person-choice" onClick={() => void signIn(person.username)}>
              <span class="avatar" aria-hidden="true">
                {person.name.charAt(0)}
              </span>
              <span>
                <strong>{person.name}</strong>
                <span class="muted">
                  {' '}
                  @{person.username} · {person.role}
                </span>
              </span>
            </button>
          </li>
        ))}
      </ul>
      <form
        class="inline-form"
        onSubmit={(event) => {
          event.preventDefault();
          void signIn(username.trim());
        }}
      >
        <Field label="Or sign in as another username">
          {(control) => <input {...control} value={username} onInput={(event) => setUsername(event.currentTarget.value)} autoComplete="username" />}
        </Field>
        <Button type="submit" variant="secondary" disabled={username.trim() === ''}>
          Sign in
        </Button>
      </form>
    </>
  );
}

function OidcSignIn({ auth, returnTo }: { auth: Extract<AuthConfig, { mode: 'oidc' }>; returnTo: string }) {
  const [problem, setProblem] = useState<Problem | undefined>();
  return (
    <>
      <h1>Sign in</h1>
      <p class="muted">You sign in with your institution’s account ({new URL(auth.issuer).host}).</p>
      <ProblemMessage problem={problem} />
      <Button variant="primary" onClick={() => startOidcSignIn(auth, returnTo).catch((error) => setProblem(problemOf(error)))}>
        Continue to sign in
      </Button>
    </>
  );
}

/** No sign-in service here: a bearer token, pasted. */
function TokenSignIn({ returnTo, onSignedIn }: { returnTo: string; onSignedIn(session: Session): void }) {
  const [token, setToken] = useState('');
  const [problem, setProblem] = useState<Problem | undefined>();
  return (
    <>
      <h1>Sign in with a token</h1>
      <p class="muted">
        This deployment has no sign-in service configured. Paste a bearer token: with dev tokens, <code>npm run -s token -- &lt;username&gt;</code> prints one.
      </p>
      <ProblemMessage problem={problem} />
      <form
        onSubmit={(event) => {
          event.preventDefault();
          try {
            onSignedIn(storeSession(token.trim()));
            navigate(returnTo, { replace: true });
          } catch (error) {
            setProblem(problemOf(error));
          }
        }}
      >
        <Field label="Bearer token">
          {(control) => <textarea {...control} rows={4} value={token} required spellcheck={false} onInput={(event) => setToken(event.currentTarget.value)} />}
        </Field>
        <Button type="submit" variant="primary" disabled={token.trim() === ''}>
          Sign in
        </Button>
      </form>
    </>
  );
}

export function SignInPage({ config, as, returnTo, onSignedIn }: SignInProps) {
  useEffect(() => {
    document.title = 'Sign in · Cairn';
  }, []);
  const { auth } = config;
  return (
    <Frame>
      {auth.mode === 'dev' && <DevSignIn as={as} returnTo={returnTo} onSignedIn={onSignedIn} />}
      {auth.mode === 'oidc' && <OidcSignIn auth={auth} returnTo={returnTo} />}
      {auth.mode === 'token' && <TokenSignIn returnTo={returnTo} onSignedIn={onSignedIn} />}
    </Frame>
  );
}

/** Where the identity provider sends people back: the code is traded for the token. */
export function OidcCallbackPage({ config, onSignedIn }: { config: ConsoleConfig; onSignedIn(session: Session): void }) {
  const [problem, setProblem] = useState<Problem | undefined>();
  useEffect(() => {
    if (config.auth.mode !== 'oidc') return;
    finishOidcSignIn(config.auth, location.search)
      .then(({ token, returnTo }) => {
        onSignedIn(storeSession(token));
        navigate(returnTo, { replace: true });
      })
      .catch((error) => setProblem(problemOf(error)));
  }, []);
  return (
    <Frame>
      <h1>Signing you in…</h1>
      <ProblemMessage problem={problem} />
    </Frame>
  );
}
