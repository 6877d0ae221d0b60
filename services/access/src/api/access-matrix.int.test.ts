import { CAPABILITIES, capabilitiesOf, hasCapability, roleSchemes, type RoleScheme } from '@cairn/contracts';
import { startServiceUnderTest, type ServiceUnderTest } from '@cairn/runtime';
import { accessService } from '../access.definition';
import { as, createInitializedProject, createLab, signIn, type TestPerson } from './testing/access-test-kit';

/**
 * docs/api.md "Capabilities by role", walked through the HTTP API for every role of every registered scheme:
 * for each role a person holds it (explicitly; in schemes with a base level, also through it), the
 * owner asks `GET .../access/check` about every capability, and the person asks `GET .../access/me`.
 * The expected answers come from the scheme definitions in `libs/contracts/src/roles`, so a new scheme
 * is walked as soon as it is registered.
 */

interface Holder {
  scheme: RoleScheme;
  role: string;
  via: 'explicit' | 'base-level';
  projectId: string;
  person: string;
}

/** One project per scheme with a person in each role, plus one project per base level where the scheme has one. */
function holdersOf(scheme: RoleScheme): Holder[] {
  const explicit = scheme.roles.map((role): Holder => ({
    scheme,
    role,
    via: 'explicit',
    projectId: `p-${scheme.name}`,
    person: role === scheme.ownerRole ? `${scheme.name}-owner` : `${scheme.name}-${role}`,
  }));
  const viaBaseLevel = scheme.hasBaseLevel
    ? scheme.roles
        .filter((role) => role !== scheme.ownerRole)
        .map((role): Holder => ({ scheme, role, via: 'base-level', projectId: `p-${scheme.name}-base-${role}`, person: `${scheme.name}-member` }))
    : [];
  return [...explicit, ...viaBaseLevel];
}

const holders = Object.values(roleSchemes).flatMap(holdersOf);
const cases = holders.flatMap((holder) =>
  CAPABILITIES.map((capability) => ({ ...holder, capability, allowed: hasCapability(holder.scheme, holder.role, capability) })),
);

describe('every role × capability of every scheme, through the HTTP API', () => {
  let service: ServiceUnderTest;
  const people = new Map<string, TestPerson>();

  beforeAll(async () => {
    service = await startServiceUnderTest(accessService);
    const names = [...new Set(holders.map((holder) => holder.person))];
    for (const person of await Promise.all(names.map((name) => signIn(service, name)))) people.set(person.username, person);
    await createLab(service, 'matrix', [...people.values()]);

    for (const scheme of Object.values(roleSchemes)) {
      const owner = people.get(`${scheme.name}-owner`)!;
      const projects = new Set(holdersOf(scheme).map((holder) => holder.projectId));
      for (const holder of holdersOf(scheme)) {
        if (!projects.delete(holder.projectId)) continue;
        await createInitializedProject(service, {
          projectId: holder.projectId,
          lab: 'matrix',
          scheme: scheme.name,
          ...(scheme.hasBaseLevel && { baseLevel: holder.via === 'base-level' ? holder.role : scheme.defaultBaseLevel! }),
          creator: owner,
        });
      }
      for (const holder of holdersOf(scheme).filter((candidate) => candidate.via === 'explicit' && candidate.role !== scheme.ownerRole)) {
        const granted = await as(service, owner).put(`/api/projects/${holder.projectId}/access/users/${holder.person}`, { role: holder.role });
        if (granted.status !== 200) throw new Error(`granting ${holder.role}: ${granted.status} ${JSON.stringify(granted.body)}`);
      }
    }
  });
  afterAll(() => service?.close());

  it.each(cases)('$scheme.name $role ($via): check as user says $capability is allowed: $allowed', async (example) => {
    const owner = people.get(`${example.scheme.name}-owner`)!;
    const response = await as(service, owner).get(
      `/api/projects/${example.projectId}/access/check?user=${example.person}&capability=${example.capability}`,
    );

    expect(response.status).toBe(200);
    expect(response.body).toMatchObject({ allowed: example.allowed, role: example.role, via: example.via, capability: example.capability });
  });

  it.each(holders)('$scheme.name $role ($via): /me lists exactly the capabilities of the role; a role that cannot read the project is answered as if it did not exist', async (holder) => {
    const response = await as(service, people.get(holder.person)!).get(`/api/projects/${holder.projectId}/access/me`);

    if (!capabilitiesOf(holder.scheme, holder.role).includes('project.read')) {
      expect(response.body).toMatchObject({ status: 404, rule: 'access.project-unknown' });
      return;
    }
    expect(response.status).toBe(200);
    expect(response.body).toMatchObject({ role: holder.role, via: holder.via, scheme: holder.scheme.name });
    expect([...response.body.capabilities].sort()).toEqual([...capabilitiesOf(holder.scheme, holder.role)].sort());
  });
});
