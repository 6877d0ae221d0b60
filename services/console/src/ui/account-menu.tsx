import { useEffect, useId, useState } from 'preact/hooks';
import { demoPeople, devToken, type DemoPerson } from '../session/dev-sign-in';
import { storeSession } from '../session/session';
import { useConsole } from './context';
import { Button } from './forms';

/** Who is signed in; in dev mode, a picker that switches to another demo person on this very page. */
export function AccountMenu() {
  const { session, config, signOut } = useConsole();
  const [people, setPeople] = useState<DemoPerson[]>([]);
  const [chosen, setChosen] = useState(session.person.username);
  const pickerId = useId();
  const dev = config.auth.mode === 'dev';
  useEffect(() => {
    if (dev) void demoPeople().then(setPeople);
  }, [dev]);
  const switchTo = async (username: string) => {
    storeSession(await devToken(username));
    // A fresh start as the other person: nothing the previous one loaded stays on screen.
    location.reload();
  };
  const { person } = session;
  return (
    <div class="account">
      <span class="account-who">
        <span class="avatar avatar-small" aria-hidden="true">
          {person.displayName.charAt(0)}
        </span>
        <span>
          <span class="visually-hidden">Signed in as </span>
          {person.displayName}
          {person.facilityAdmin && <span class="badge badge-quiet">facility admin</span>}
        </span>
      </span>
      {dev && people.length > 0 && (
        <form
          class="dev-picker"
          onSubmit={(event) => {
            event.preventDefault();
            void switchTo(chosen);
          }}
        >
          <label for={pickerId} class="visually-hidden">
            Demo person to switch to
          </label>
          <select id={pickerId} value={chosen} onChange={(event) => setChosen(event.currentTarget.value)}>
            {!people.some((candidate) => candidate.username === person.username) && <option value={person.username}>{person.username}</option>}
            {people.map((candidate) => (
              <option key={candidate.username} value={candidate.username}>
                {candidate.name} ({candidate.role})
              </option>
            ))}
          </select>
          <Button type="submit" variant="quiet" disabled={chosen === person.username}>
            Switch
          </Button>
        </form>
      )}
      <Button variant="quiet" onClick={signOut}>
        Sign out
      </Button>
    </div>
  );
}
