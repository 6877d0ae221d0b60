import { streamIdOf, type AccessEvent, type CairnEvent, type Role, type StreamName } from '@cairn/contracts';
import { labDecider, projectAccessDecider, type LabState, type Person, type ProjectAccessState } from '../domain';

/** One append to one stream, as the access service would make it. */
export interface AccessCommit {
  stream: StreamName;
  /** The stream's version before this commit ('no-stream' for its first). */
  expectedVersion: number | 'no-stream';
  events: AccessEvent[];
}

/**
 * The authorization model (libs/auth) must agree with these deciders, so its tests and benchmark feed it
 * events the deciders produced, never hand-written ones.
 *
 * A story of labs and project access told through the real `labDecider` and `projectAccessDecider`:
 * each step decides a command on the aggregate's current state, so a refused step throws the decider's
 * own refusal. The events come out as commits (for an event store) and as envelopes with consecutive
 * positions (for an `AccessModel` directly).
 */
export class AccessStory {
  readonly commits: AccessCommit[] = [];
  readonly envelopes: CairnEvent[] = [];
  private readonly labs = new Map<string, LabState>();
  private readonly projects = new Map<string, ProjectAccessState>();
  private readonly versions = new Map<string, number>();
  private minute = 0;

  createLab(lab: string, admin: string): this {
    const creator = { userId: admin, username: admin, displayName: admin };
    return this.lab(lab, { type: 'CreateLab', lab, name: `Lab ${lab}`, slug: lab.toLowerCase(), creator, creatorIsFacilityAdmin: true });
  }

  addMember(lab: string, actor: string, userId: string): this {
    return this.lab(lab, { type: 'AddLabMember', actor, member: { userId, username: userId, displayName: userId }, admin: false });
  }

  removeMember(lab: string, actor: string, userId: string): this {
    return this.lab(lab, { type: 'RemoveLabMember', actor, userId });
  }

  createProject(projectId: string, lab: string, scheme: string, creator: string, baseLevel?: Role): this {
    return this.project(projectId, {
      type: 'InitializeProjectAccess',
      projectId,
      lab,
      scheme,
      creator,
      now: this.now(),
      ...(baseLevel !== undefined && { baseLevel }),
    });
  }

  setRole(projectId: string, actor: string, user: string, role: Role): this {
    return this.project(projectId, { type: 'SetRole', actor: this.person(projectId, actor), user: this.person(projectId, user), role, now: this.now() });
  }

  revokeRole(projectId: string, actor: string, user: string): this {
    return this.project(projectId, { type: 'RevokeRole', actor: this.person(projectId, actor), user: this.person(projectId, user), now: this.now() });
  }

  changeBaseLevel(projectId: string, actor: string, level: Role): this {
    return this.project(projectId, { type: 'ChangeBaseLevel', actor: this.person(projectId, actor), level, now: this.now() });
  }

  transferOwnership(projectId: string, actor: string, to: string): this {
    return this.project(projectId, { type: 'TransferOwnership', actor: this.person(projectId, actor), to: this.person(projectId, to), now: this.now() });
  }

  private lab(lab: string, command: Parameters<typeof labDecider.decide>[0]): this {
    const state = this.labs.get(lab) ?? labDecider.initialState();
    const events = labDecider.decide(command, state);
    this.labs.set(lab, events.reduce(labDecider.evolve, state));
    return this.record({ context: 'access', aggregate: 'lab', id: lab }, events);
  }

  private project(projectId: string, command: Parameters<typeof projectAccessDecider.decide>[0]): this {
    const state = this.projects.get(projectId) ?? projectAccessDecider.initialState();
    const events = projectAccessDecider.decide(command, state);
    this.projects.set(projectId, events.reduce(projectAccessDecider.evolve, state));
    return this.record({ context: 'access', aggregate: 'project', id: projectId }, events);
  }

  private person(projectId: string, userId: string): Person {
    const lab = this.projects.get(projectId)?.lab;
    return { id: userId, isLabMember: lab !== undefined && (this.labs.get(lab)?.members.has(userId) ?? false) };
  }

  private record(stream: StreamName, events: AccessEvent[]): this {
    if (events.length === 0) return this;
    const streamid = streamIdOf(stream);
    const before = this.versions.get(streamid);
    this.commits.push({ stream, expectedVersion: before ?? 'no-stream', events });
    let version = before ?? -1;
    for (const event of events) {
      version += 1;
      const position = this.envelopes.length + 1;
      this.envelopes.push({
        specversion: '1.0',
        id: `event-${position}`,
        source: 'cairn/access',
        type: event.type,
        subject: `${stream.aggregate}/${stream.id}`,
        time: new Date(Date.UTC(2025, 0, 6)).toISOString(),
        datacontenttype: 'application/json',
        data: event.data,
        streamid,
        streamversion: version,
        position,
      });
    }
    this.versions.set(streamid, version);
    return this;
  }

  /** Each step a minute after the one before. */
  private now(): string {
    return new Date(Date.UTC(2025, 0, 6, 9) + 60_000 * this.minute++).toISOString();
  }
}
