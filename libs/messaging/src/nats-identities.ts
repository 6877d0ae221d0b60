import { RUNNER_ID_PATTERN, RUNNER_REQUESTS, WORK_STREAM, WORK_SUBJECT_PREFIX, cancelSubjectOf, runnerRequestPattern, runnerSubjectOf } from '@cairn/contracts';
import { DEAD_LETTER_STREAM, DEAD_LETTER_SUBJECT_PREFIX } from './dead-letter';
import { DEFAULT_EVENTS_STREAM } from './consumer-provisioning';
import { RELAY_CHECKPOINT_BUCKET } from './event-relay';

/** The services that append events; each publishes only on `cairn.events.<its context>.>`. */
export const SERVICE_CONTEXTS = ['access', 'projects', 'jobs', 'logbook'] as const;
export type ServiceContext = (typeof SERVICE_CONTEXTS)[number];

/**
 * Who connects to NATS. Each identity has its own NKEY and the permissions `natsPermissionsOf` gives it,
 * nothing more: the server refuses (permissions violation) anything else it publishes or subscribes to.
 */
export type NatsIdentity =
  | { kind: 'service'; context: ServiceContext }
  | { kind: 'runner'; id: string }
  /** Another facility system reading the events: one durable consumer on CAIRN_EVENTS, named after it. */
  | { kind: 'subscriber'; name: string }
  /** The `cairn` CLI: reads the events and rebuilds read models, appends nothing. */
  | { kind: 'cli' }
  /** Stream administration (and the test harness's own connections): everything. */
  | { kind: 'operator' };

/**
 * The durable consumers each service keeps on CAIRN_EVENTS (its projections' and reactors' names), which
 * no other identity may use, change or delete. By exact name: NATS permissions match whole subject tokens,
 * so a name prefix (`access_*`) can be neither granted nor refused. `test/nats/service-durables.unit.test.ts`
 * checks the list against what each service runs.
 */
export const SERVICE_DURABLES: Record<ServiceContext, readonly string[]> = {
  access: ['lab_members', 'lab_directory', 'access_audit', 'access_intervals', 'directory_names', 'pending_invitations', 'access-project-initialization'],
  projects: ['project_directory', 'experiment_directory', 'experiment_files', 'experiment_stacks', 'file_index', 'deletion_requests', 'project_activity', 'runner_holds', 'stack_annotations'],
  jobs: ['job_search', 'job_templates', 'project_files', 'job_comments', 'experiment_links', 'job_triggerers', 'jobs-work-queue'],
  logbook: ['logbook_view', 'comments_view', 'logbook_references'],
};

/** Every identity the platform has from the start; runners and subscribers are registered as they come. */
export const PLATFORM_NATS_IDENTITIES: readonly NatsIdentity[] = [
  ...SERVICE_CONTEXTS.map((context) => ({ kind: 'service', context }) as const),
  { kind: 'cli' },
  { kind: 'operator' },
];

export interface NatsPermissions {
  publish: string[];
  /** Refused even where `publish` allows it: other identities' durable consumers. */
  publishDenied: string[];
  subscribe: string[];
  /** May answer the requests it receives (publish once to each request's reply subject). */
  allowResponses: boolean;
}

const NAME_PATTERN = /^[A-Za-z0-9_-]{1,64}$/;
// The jobs service's own streams (services/jobs/src/application: job-logs.ts, heartbeats.ts).
const JOB_LOGS_STREAM = 'CAIRN_JOB_LOGS';
const JOB_LOGS_SUBJECTS = 'cairn.logs.>';
const HEARTBEATS_BUCKET = 'CAIRN_JOB_HEARTBEATS';
const RUNNERS_BUCKET = 'CAIRN_RUNNERS';

/** `service-access`, `runner-<id>`, `subscriber-<name>`, `cli`, `operator`: file names, log names. */
export function natsIdentityName(identity: NatsIdentity): string {
  switch (identity.kind) {
    case 'service':
      return `service-${identity.context}`;
    case 'runner':
      return `runner-${identity.id}`;
    case 'subscriber':
      return `subscriber-${identity.name}`;
    default:
      return identity.kind;
  }
}

/**
 * Each identity's replies (requests, JetStream API answers, pulled messages) arrive under its own prefix,
 * so nobody may subscribe to another's: `_INBOX_service-access.<nuid>`.
 */
export function inboxPrefixOf(identity: NatsIdentity): string {
  return `_INBOX_${natsIdentityName(identity)}`;
}

/** The inverse of `natsIdentityName` (a seed file's name without `.nk`). */
export function natsIdentityOfName(name: string): NatsIdentity {
  const [kind, rest] = name.split(/-(.*)/s, 2);
  return parseNatsIdentity(rest === undefined ? kind : `${kind}:${rest}`);
}

/** Parses `service:access`, `runner:<id>`, `subscriber:<name>`, `cli`, `operator`. */
export function parseNatsIdentity(text: string): NatsIdentity {
  const [kind, name = ''] = text.split(/:(.*)/s, 2);
  const identity: NatsIdentity | undefined =
    kind === 'service' && (SERVICE_CONTEXTS as readonly string[]).includes(name)
      ? { kind, context: name as ServiceContext }
      : kind === 'runner' && RUNNER_ID_PATTERN.test(name)
        ? { kind, id: name }
        : kind === 'subscriber' && NAME_PATTERN.test(name) && !serviceDurableNames().has(name)
          ? { kind, name }
          : (kind === 'cli' || kind === 'operator') && name === ''
            ? { kind }
            : undefined;
  if (!identity) {
    throw new Error(
      `"${text}" is not a NATS identity: service:<${SERVICE_CONTEXTS.join('|')}>, runner:<id>, subscriber:<name> (not a service's durable consumer), cli or operator`,
    );
  }
  return identity;
}

function serviceDurableNames(): Set<string> {
  return new Set(Object.values(SERVICE_DURABLES).flat());
}

/** Every API call and acknowledgement that names the durable consumer `name` of `stream`. */
function durableSubjects(stream: string, name: string): string[] {
  return [
    ...['CREATE', 'INFO', 'MSG.NEXT', 'DELETE', 'DURABLE.CREATE'].map((api) => `$JS.API.CONSUMER.${api}.${stream}.${name}`),
    `$JS.API.CONSUMER.CREATE.${stream}.${name}.>`,
    `$JS.ACK.${stream}.${name}.>`,
  ];
}

/**
 * The legacy create subject names no consumer: it creates or updates whichever one the request's body names,
 * whoever's it is. Cairn's processes create every consumer on the events stream by name (`namedConsumers`,
 * @cairn/event-store), so it is refused to all but the operator.
 */
const UNNAMED_CONSUMER_CREATE = `$JS.API.CONSUMER.CREATE.${DEFAULT_EVENTS_STREAM}`;

/**
 * A service's consumers are its durables (named in its code) and short-lived ones of random names (ordered
 * reads, rebuilds), so it is granted consumers on the stream at large and refused, by name, every other
 * service's durables and every subscriber's.
 */
function othersDurablesOf(context: ServiceContext, subscribers: readonly string[]): string[] {
  const others = [...SERVICE_CONTEXTS.filter((other) => other !== context).flatMap((other) => SERVICE_DURABLES[other]), ...subscribers];
  return others.flatMap((name) => durableSubjects(DEFAULT_EVENTS_STREAM, name));
}

/** Reads a stream's messages and uses consumers on it (any consumer: a service's durables are named in its code). */
function consumersOn(stream: string): string[] {
  return [
    `$JS.API.STREAM.INFO.${stream}`,
    `$JS.API.CONSUMER.*.${stream}`,
    `$JS.API.CONSUMER.*.${stream}.>`,
    `$JS.API.CONSUMER.DURABLE.CREATE.${stream}.*`,
    `$JS.API.CONSUMER.MSG.NEXT.${stream}.*`,
    `$JS.API.DIRECT.GET.${stream}`,
    `$JS.API.DIRECT.GET.${stream}.>`,
    `$JS.API.STREAM.MSG.GET.${stream}`,
    `$JS.ACK.${stream}.>`,
    `$JS.FC.${stream}.>`,
  ];
}

/** Creates the stream where it is missing (its settings are in code); changing, purging or deleting it is the operator's. */
function createsStream(stream: string): string[] {
  return [`$JS.API.STREAM.CREATE.${stream}`, ...consumersOn(stream)];
}

/** A key-value bucket (the stream `KV_<bucket>`), of which the identity writes the keys `keys`. */
function keyValue(bucket: string, keys: string): string[] {
  return [...createsStream(`KV_${bucket}`), `$KV.${bucket}.${keys}`];
}

function servicePermissions(context: ServiceContext, inbox: string, subscribers: readonly string[]): NatsPermissions {
  const publish = [
    '$JS.API.INFO',
    `cairn.events.${context}.>`,
    `${DEAD_LETTER_SUBJECT_PREFIX}.>`,
    ...createsStream(DEFAULT_EVENTS_STREAM),
    ...createsStream(DEAD_LETTER_STREAM),
    // EventStoreDB mode: the relay keeps its checkpoint under the service's own key.
    ...keyValue(RELAY_CHECKPOINT_BUCKET, context),
  ];
  const subscribe = [`${inbox}.>`];
  if (context === 'jobs') {
    publish.push(`${WORK_SUBJECT_PREFIX}.>`, cancelSubjectOf('*'), JOB_LOGS_SUBJECTS, ...createsStream(WORK_STREAM), ...createsStream(JOB_LOGS_STREAM), ...keyValue(HEARTBEATS_BUCKET, '>'), ...keyValue(RUNNERS_BUCKET, '>'));
    // The protocol's requests; live logs follow a job's chunks and its own events as they are stored.
    subscribe.push(...RUNNER_REQUESTS.map(runnerRequestPattern), JOB_LOGS_SUBJECTS, `cairn.events.${context}.>`);
  }
  return { publish, publishDenied: [UNNAMED_CONSUMER_CREATE, ...othersDurablesOf(context, subscribers)], subscribe, allowResponses: context === 'jobs' };
}

/**
 * Exactly what the identity needs, as allow lists (everything else is denied), less the durable consumers
 * of others: the services' and those of `subscribers` (the names of the registered subscribers).
 */
export function natsPermissionsOf(identity: NatsIdentity, subscribers: readonly string[] = []): NatsPermissions {
  const inbox = inboxPrefixOf(identity);
  switch (identity.kind) {
    case 'service':
      return servicePermissions(identity.context, inbox, subscribers);
    case 'runner':
      return {
        publishDenied: [],
        // The protocol's requests on its own subjects, answered by the jobs service; nobody else subscribes
        // to them, so no runner sees another's reports or token. Work items: pull and acknowledge only.
        publish: ['$JS.API.INFO', ...RUNNER_REQUESTS.map((request) => runnerSubjectOf(identity.id, request)), ...createsStream(WORK_STREAM)],
        subscribe: [`${inbox}.>`, cancelSubjectOf(identity.id)],
        allowResponses: false,
      };
    case 'subscriber': {
      const consumer = identity.name;
      return {
        publishDenied: [],
        publish: [
          '$JS.API.INFO',
          `$JS.API.STREAM.INFO.${DEFAULT_EVENTS_STREAM}`,
          ...['CREATE', 'INFO', 'MSG.NEXT', 'DELETE', 'DURABLE.CREATE'].map((api) => `$JS.API.CONSUMER.${api}.${DEFAULT_EVENTS_STREAM}.${consumer}`),
          `$JS.API.CONSUMER.CREATE.${DEFAULT_EVENTS_STREAM}.${consumer}.>`,
          `$JS.API.DIRECT.GET.${DEFAULT_EVENTS_STREAM}`,
          `$JS.API.DIRECT.GET.${DEFAULT_EVENTS_STREAM}.>`,
          `$JS.ACK.${DEFAULT_EVENTS_STREAM}.${consumer}.>`,
        ],
        subscribe: [`${inbox}.>`],
        allowResponses: false,
      };
    }
    case 'cli':
      return {
        publishDenied: [UNNAMED_CONSUMER_CREATE],
        publish: ['$JS.API.INFO', ...consumersOn(DEFAULT_EVENTS_STREAM), ...consumersOn(DEAD_LETTER_STREAM), `${DEAD_LETTER_SUBJECT_PREFIX}.>`],
        subscribe: [`${inbox}.>`],
        allowResponses: false,
      };
    case 'operator':
      return { publish: ['>'], publishDenied: [], subscribe: ['>'], allowResponses: false };
  }
}

export interface NatsUser {
  identity: NatsIdentity;
  /** The NKEY's public key (`U...`); the seed stays with the identity. */
  publicKey: string;
}

/** One entry of the server's `authorization.users` list, among `subscribers` (their names). */
export function natsUserEntry({ identity, publicKey }: NatsUser, subscribers: readonly string[] = []): string {
  const { publish, publishDenied, subscribe, allowResponses } = natsPermissionsOf(identity, subscribers);
  const list = (subjects: string[]) => `[${subjects.map((subject) => JSON.stringify(subject)).join(', ')}]`;
  return [
    `  # ${natsIdentityName(identity)}`,
    `  { nkey: ${publicKey}, permissions: {`,
    `      publish: { allow: ${list(publish)}${publishDenied.length > 0 ? `, deny: ${list(publishDenied)}` : ''} }`,
    `      subscribe: { allow: ${list(subscribe)} }`,
    ...(allowResponses ? ['      allow_responses: true'] : []),
    `  } }`,
  ].join('\n');
}

/**
 * The server's `authorization` block: only these users may connect, each with its own permissions.
 * nats.conf includes it (a file of its own, so registering a runner changes only it, then reloads).
 */
export function natsAuthorizationConfig(users: NatsUser[]): string {
  const subscribers = users.flatMap(({ identity }) => (identity.kind === 'subscriber' ? [identity.name] : []));
  return ['authorization {', '  users: [', ...users.map((user) => natsUserEntry(user, subscribers)), '  ]', '}', ''].join('\n');
}
