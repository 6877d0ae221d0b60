/** A person of the local platform (`npm start`), as the edge's dev-only /auth/dev/people lists them. */
export interface DemoPerson {
  username: string;
  name: string;
  email: string;
  admin: boolean;
  role: string;
}

export async function demoPeople(fetcher: typeof fetch = fetch): Promise<DemoPerson[]> {
  const response = await fetcher('/auth/dev/people');
  if (!response.ok) return [];
  return ((await response.json()) as { people: DemoPerson[] }).people;
}

/** A dev token for `username`, from the edge (only when it runs with CAIRN_AUTH_MODE=dev). */
export async function devToken(username: string, fetcher: typeof fetch = fetch): Promise<string> {
  const response = await fetcher('/auth/dev/token', {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username }),
  });
  const body = (await response.json()) as { token?: string; detail?: string };
  if (!response.ok || !body.token) throw new Error(body.detail ?? `the edge answered ${response.status}`);
  return body.token;
}
