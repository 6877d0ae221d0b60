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

/** Every identity the platform has from the start; runners and subscribers are registered as they come. */
export const PLATFORM_NATS_IDENTITIES: readonly NatsIdentity[] = [
  ...SERVICE_CONTEXTS.map((context) => ({ kind: 'service', context }) as const),
  { kind: 'cli' },
  { kind: 'operator' },
];

export interface NatsPermissions {
  publish: string[];
  subscribe: string[];
  /** May answer the requests it receives (publish once to each request's reply subject). */
  allowResponses: boolean;
}

const NAME_PATTERN = /^[A-Za-z0-9_-]{1,64}$/;
// The jobs service's own streams (services/jobs/src/application: job-logs.ts, heartbeats.ts).
const JOB_LOGS_STREAM = 'CAIRN_JOB_LOGS';
const JOB_LOGS_SUBJECTS = 'cairn.logs.>';
const HEARTBEATS_BUCKET = 'CAIRN_JOB_HEARTBEATS';

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
        : kind === 'subscriber' && NAME_PATTERN.test(name)
          ? { kind, name }
          : (kind === 'cli' || kind === 'operator') && name === ''
            ? { kind }
            : undefined;
  if (!identity) {
    throw new Error(`"${text}" is not a NATS identity: service:<${SERVICE_CONTEXTS.join('|')}>, runner:<id>, subscriber:<name>, cli or operator`);
  }
  return identity;
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

function servicePermissions(context: ServiceContext, inbox: string): NatsPermissions {
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
    publish.push(`${WORK_SUBJECT_PREFIX}.>`, cancelSubjectOf('*'), JOB_LOGS_SUBJECTS, ...createsStream(WORK_STREAM), ...createsStream(JOB_LOGS_STREAM), ...keyValue(HEARTBEATS_BUCKET, '>'));
    // The protocol's requests; live logs follow a job's chunks and its own events as they are stored.
    subscribe.push(...RUNNER_REQUESTS.map(runnerRequestPattern), JOB_LOGS_SUBJECTS, `cairn.events.${context}.>`);
  }
  return { publish, subscribe, allowResponses: context === 'jobs' };
}

/** Exactly what the identity needs, as allow lists (everything else is denied). */
export function natsPermissionsOf(identity: NatsIdentity): NatsPermissions {
  const inbox = inboxPrefixOf(identity);
  switch (identity.kind) {
    case 'service':
      return servicePermissions(identity.context, inbox);
    case 'runner':
      return {
        // The protocol's requests on its own subjects, answered by the jobs service; nobody else subscribes
        // to them, so no runner sees another's reports or token. Work items: pull and acknowledge only.
        publish: ['$JS.API.INFO', ...RUNNER_REQUESTS.map((request) => runnerSubjectOf(identity.id, request)), ...createsStream(WORK_STREAM)],
        subscribe: [`${inbox}.>`, cancelSubjectOf(identity.id)],
        allowResponses: false,
      };
    case 'subscriber': {
      const consumer = identity.name;
      return {
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
        publish: ['$JS.API.INFO', ...consumersOn(DEFAULT_EVENTS_STREAM), ...consumersOn(DEAD_LETTER_STREAM), `${DEAD_LETTER_SUBJECT_PREFIX}.>`],
        subscribe: [`${inbox}.>`],
        allowResponses: false,
      };
    case 'operator':
      return { publish: ['>'], subscribe: ['>'], allowResponses: false };
  }
}

export interface NatsUser {
  identity: NatsIdentity;
  /** The NKEY's public key (`U...`); the seed stays with the identity. */
  publicKey: string;
}

/** One entry of the server's `authorization.users` list. */
export function natsUserEntry({ identity, publicKey }: NatsUser): string {
  const { publish, subscribe, allowResponses } = natsPermissionsOf(identity);
  const list = (subjects: string[]) => `[${subjects.map((subject) => JSON.stringify(subject)).join(', ')}]`;
  return [
    `  # ${natsIdentityName(identity)}`,
    `  { nkey: ${publicKey}, permissions: {`,
    `      publish: { allow: ${list(publish)} }`,
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
  return ['authorization {', '  users: [', ...users.map(natsUserEntry), '  ]', '}', ''].join('\n');
}
