import request from 'supertest';
import type { NewEvent, ProjectCreatedData } from '@cairn/contracts';
import { JetStreamEventStore } from '@cairn/event-store';
import type { ServiceUnderTest } from '@cairn/runtime';

/** Helpers that let the access service's HTTP specifications read as the guides do. */

export interface TestPerson {
  username: string;
  userId: string;
  email: string;
  displayName: string;
  token: string;
}

/** A person who has signed in once, so that others can find them by user id, username or e-mail. */
export async function signIn(service: ServiceUnderTest, username: string, displayName = username, email = `${username}@example.org`): Promise<TestPerson> {
  const token = await service.token({ username, name: displayName, email });
  // Any authenticated call records the caller in the directory, even one answered 404.
  await request(service.server).get('/api/projects/signing-in/access/me').set('authorization', `Bearer ${token}`);
  return { username, userId: `u-${username}`, email, displayName, token };
}

/** A lab with these members, appended to its stream as the labs endpoints would; no lab admin is needed here. */
export async function createLab(service: ServiceUnderTest, lab: string, members: TestPerson[]): Promise<number> {
  const actor = 'u-facility-admin';
  const events: NewEvent[] = [
    { type: 'access.lab.created.v1', data: { lab, name: lab, slug: lab, actor } },
    ...members.map((member) => ({
      type: 'access.lab.member-added.v1',
      data: { lab, userId: member.userId, username: member.username, displayName: member.displayName, email: member.email, admin: false, actor },
    })),
  ];
  return (await service.runtime.store.append({ context: 'access', aggregate: 'lab', id: lab }, events, 'no-stream')).position;
}

export interface ProjectFacts {
  projectId: string;
  lab: string;
  scheme: 'facility' | 'lab' | string;
  baseLevel?: string;
  creator: TestPerson;
}

/** What the projects service publishes when someone creates a project; answers the event's position. */
export async function createProject(service: ServiceUnderTest, facts: ProjectFacts): Promise<number> {
  const data: ProjectCreatedData = {
    projectId: facts.projectId,
    lab: facts.lab,
    name: facts.projectId,
    description: '',
    slug: facts.projectId.toLowerCase(),
    scheme: facts.scheme,
    ...(facts.baseLevel !== undefined && { baseLevel: facts.baseLevel }),
    createdBy: facts.creator.userId,
    actor: facts.creator.userId,
  };
  const stream = { context: 'projects', aggregate: 'project', id: facts.projectId };
  // As the projects service: the access service's own NATS identity may not publish projects events.
  const projects = await JetStreamEventStore.connect({ connection: service.nats.connectionOptions({ kind: 'service', context: 'projects' }) });
  try {
    return (await projects.append(stream, [{ type: 'projects.project.created.v1', data }], 'any')).position;
  } finally {
    await projects.close();
  }
}

/** A project whose access the service has initialized: creation event, then a read that waits for it. */
export async function createInitializedProject(service: ServiceUnderTest, facts: ProjectFacts): Promise<void> {
  const position = await createProject(service, facts);
  const response = await as(service, facts.creator).get(`/api/projects/${facts.projectId}/access/me`, position);
  if (response.status !== 200) throw new Error(`project ${facts.projectId} was not initialized: ${response.status} ${JSON.stringify(response.body)}`);
}

/** Requests made by one person. */
export function as(service: ServiceUnderTest, person: TestPerson) {
  const bearer = `Bearer ${person.token}`;
  const api = () => request(service.server);
  return {
    get: (path: string, minPosition?: number) => {
      const call = api().get(path).set('authorization', bearer);
      return minPosition === undefined ? call : call.set('Cairn-Min-Position', String(minPosition));
    },
    put: (path: string, body: object) => api().put(path).set('authorization', bearer).send(body),
    post: (path: string, body: object) => api().post(path).set('authorization', bearer).send(body),
    delete: (path: string, body: object = {}) => api().delete(path).set('authorization', bearer).send(body),
  };
}
