import { signDevToken } from '@cairn/auth';

/** Someone `npm start` can sign in as (dev tokens only). */
export interface DemoPerson {
  username: string;
  name: string;
  email: string;
  /** Facility admin: creates labs, reads every project's access history. */
  admin: boolean;
  /** What they are for in the guides' stories, shown by the console's sign-in picker. */
  role: string;
}

/** The people of the local platform; alice is the dev user `npm start`'s link signs in. */
export const DEMO_PEOPLE: readonly DemoPerson[] = [
  { username: 'alice', name: 'Alice Admin', email: 'alice@example.org', admin: true, role: 'Facility admin and auditor' },
  { username: 'bob', name: 'Bob Brown', email: 'bob@example.org', admin: false, role: 'PI, owns projects' },
  { username: 'carol', name: 'Carol Chen', email: 'carol@example.org', admin: false, role: 'Postdoc, manages data' },
  { username: 'dave', name: 'Dave Diaz', email: 'dave@example.org', admin: false, role: 'PhD student, runs jobs' },
  { username: 'erin', name: 'Erin Evans', email: 'erin@example.org', admin: false, role: 'Visiting reviewer' },
];

export const DEV_USER = DEMO_PEOPLE[0];

/** A dev token for a demo person, or for anyone else by username (with a made-up e-mail). */
export function demoToken(username: string, secret: string): Promise<string> {
  const person = DEMO_PEOPLE.find((candidate) => candidate.username === username);
  return signDevToken(
    person ? { username, name: person.name, email: person.email, admin: person.admin } : { username, name: username, email: `${username}@example.org` },
    secret,
  );
}
