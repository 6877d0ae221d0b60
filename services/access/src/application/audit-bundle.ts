import type { CairnEvent, ChainHeadSignedData, LabEvent, ProjectAccessEvent, StreamName } from '@cairn/contracts';
import type { EventStore } from '@cairn/event-store';
import { streamIdOf } from '@cairn/contracts';
import {
  AUDIT_GENESIS,
  auditRecordOf,
  chainLinks,
  linkAfter,
  signatureHolds,
  type AuditRecord,
  type AuditSigner,
  type PublicAuditKey,
  type SignedHead,
} from '../domain/audit-bundle/audit-chain';
import { accessFoldedAt, creationOf, differencesBetween, UnknownProjectError, type StatedAccess } from './access-history-check';
import { chainStream } from './chain-heads';
import { labStream } from './labs.service';
import { projectAccessStream } from './project-access.service';

/**
 * `audit export` and `audit verify-bundle`: one JSON file with everything an auditor needs to check a
 * project's access history away from the platform (docs/audit-bundle.md is its specification).
 */

export const BUNDLE_FORMAT = 'cairn.audit-bundle.v1';

/** What a stream decides; a stream of pending invitations will be one more kind. */
export type DecidingStream = 'project-access' | 'lab-membership';

export interface BundledStream {
  stream: string;
  decides: DecidingStream;
  events: (AuditRecord & { link: string })[];
}

export interface AuditBundle {
  format: typeof BUNDLE_FORMAT;
  project: string;
  lab: string;
  exportedAt: string;
  /** The system of record the events were read from. */
  eventStore: 'jetstream' | 'esdb';
  streams: BundledStream[];
  /** One head per stream, signed as the bundle was exported. */
  heads: SignedHead[];
  /** The newest head of each stream the access service signed as it committed to it (`access_chain-<stream>`). */
  writeHeads: SignedHead[];
  keys: PublicAuditKey[];
  /** "Who had what, and why" at each instant the auditor asked for, folded from the events. */
  answers: { at: string; people: StatedAccess[] }[];
}

function bundled(stream: string, decides: DecidingStream, events: CairnEvent[]): BundledStream {
  const records = events.map(auditRecordOf);
  const links = chainLinks(records);
  return { stream, decides, events: records.map((record, index) => ({ ...record, link: links[index] })) };
}

/** The newest head of `stream` recorded at write time, if any. */
async function newestWriteHead(store: EventStore, stream: StreamName): Promise<SignedHead | undefined> {
  const recorded = (await store.readStream(chainStream(stream))).map(({ data }) => data as ChainHeadSignedData);
  return recorded.reduce<SignedHead | undefined>((newest, head) => (newest && newest.length >= head.length ? newest : head), undefined);
}

/** Reads the project's deciding streams from the event store itself (never a relay's copy) and signs their heads. */
export async function exportAuditBundle(options: {
  store: EventStore;
  eventStore: AuditBundle['eventStore'];
  project: string;
  instants: Date[];
  signer: AuditSigner;
  now?: Date;
}): Promise<AuditBundle> {
  const { store, project, signer } = options;
  const now = (options.now ?? new Date()).toISOString();
  const projectHistory = await store.readStream(projectAccessStream(project));
  if (projectHistory.length === 0) throw new UnknownProjectError(project);
  const { lab } = creationOf(project, projectHistory as unknown as ProjectAccessEvent[]);
  const labHistory = await store.readStream(labStream(lab));
  const writeHeads = (await Promise.all([projectAccessStream(project), labStream(lab)].map((stream) => newestWriteHead(store, stream)))).filter(
    (head): head is SignedHead => head !== undefined,
  );
  const streams = [
    bundled(streamIdOf(projectAccessStream(project)), 'project-access', projectHistory),
    bundled(streamIdOf(labStream(lab)), 'lab-membership', labHistory),
  ];
  return {
    format: BUNDLE_FORMAT,
    project,
    lab,
    exportedAt: now,
    eventStore: options.eventStore,
    streams,
    heads: streams.map(({ stream, events }) => signer.sign({ stream, length: events.length, head: events.at(-1)?.link ?? AUDIT_GENESIS, signedAt: now })),
    writeHeads,
    keys: [signer.key],
    answers: options.instants.map((at) => ({
      at: at.toISOString(),
      people: accessFoldedAt(projectHistory as unknown as ProjectAccessEvent[], labHistory as unknown as (LabEvent & { time: string })[], at).replayed,
    })),
  };
}

export type SignatureState = 'valid' | 'invalid' | 'unknown-key' | 'untrusted-key';

export interface SignatureCheck {
  stream: string;
  keyId: string;
  signedAt: string;
  state: SignatureState;
}

export interface BundleVerification {
  intact: boolean;
  /** Where the bundle was changed, each in one sentence; empty when intact. */
  findings: string[];
  signatures: SignatureCheck[];
  /** The heads signed at write time, checked the same way. */
  writeSignatures: SignatureCheck[];
  /** True when the auditor named the keys they trust and every signature is by one of them. */
  anchored: boolean;
}

const describeEvent = (stream: string, index: number, event: AuditRecord) =>
  `event #${index} of ${stream} (stream version ${event.streamversion}, ${event.type}, id ${event.id})`;

/** Stream versions must run 0, 1, 2, …: names what is missing, repeated or out of order. */
function orderFindings(stream: BundledStream): string[] {
  const versions = stream.events.map((event) => event.streamversion);
  const present = new Set(versions);
  const findings: string[] = [];
  const last = Math.max(-1, ...versions);
  for (let version = 0; version <= last; version += 1) {
    if (!present.has(version)) findings.push(`${stream.stream}: the event at stream version ${version} is missing (dropped from the middle)`);
  }
  for (const version of present) {
    if (versions.indexOf(version) !== versions.lastIndexOf(version)) findings.push(`${stream.stream}: stream version ${version} appears more than once`);
  }
  for (let index = 1; index < versions.length; index += 1) {
    if (versions[index] < versions[index - 1]) {
      findings.push(`${stream.stream}: events at stream versions ${versions[index - 1]} and ${versions[index]} are out of order (swapped)`);
    }
  }
  return findings;
}

/** Each event must hash, after its predecessor's recorded link, to its own recorded link. */
function linkFindings(stream: BundledStream): string[] {
  const findings: string[] = [];
  stream.events.forEach((event, index) => {
    const { link, ...record } = event;
    const prev = index === 0 ? AUDIT_GENESIS : stream.events[index - 1].link;
    if (linkAfter(prev, record) !== link) {
      findings.push(`${describeEvent(stream.stream, index, record)} does not hash to its link after the event before it: it was changed, moved, or an event before it was removed`);
    }
  });
  return findings;
}

/** The heads a stream is checked against: the one signed at export, and the newest one signed at write time. */
const HEAD_KINDS = {
  export: {
    name: 'signed head',
    signed: 'head',
    missing: 'no signed head vouches for its',
    unreached: '',
    after: 'come after the last signed head; no signature covers them',
  },
  write: {
    name: 'head signed at write time',
    signed: 'head signed at write time',
    missing: 'the access service signed no head at write time for its',
    unreached: ': it was rewritten after the access service signed it',
    after: 'were appended after the newest head the access service signed at write time; it never signed them (written to the store directly, or their signing failed)',
  },
} as const;

function headFindings(stream: BundledStream, head: SignedHead | undefined, kind: keyof typeof HEAD_KINDS = 'export'): string[] {
  const words = HEAD_KINDS[kind];
  if (!head) return [`${stream.stream}: ${words.missing} ${stream.events.length} events`];
  const count = stream.events.length;
  if (count < head.length) {
    const last = Math.max(-1, ...stream.events.map((event) => event.streamversion));
    const cut = head.length - 1 - last;
    return [
      cut > 0
        ? `${stream.stream}: ${cut} event(s) were cut off after stream version ${last}; the ${words.name} covers ${head.length}`
        : `${stream.stream}: it holds ${count} of the ${head.length} events its ${words.name} covers`,
    ];
  }
  const records = stream.events.slice(0, head.length).map(({ link: _link, ...record }) => record);
  const recomputed = chainLinks(records).at(-1) ?? AUDIT_GENESIS;
  const findings =
    recomputed === head.head ? [] : [`${stream.stream}: the chain recomputed from its first ${head.length} events does not reach the ${words.name} ${head.head}${words.unreached}`];
  if (count > head.length) findings.push(`${stream.stream}: events #${head.length}..#${count - 1} ${words.after}`);
  return findings;
}

function signatureState(head: SignedHead, keys: readonly PublicAuditKey[], trusted: readonly PublicAuditKey[] | undefined): SignatureState {
  // A head signed at write time may name a key retired since; the auditor's trusted keys carry it.
  const key = [...keys, ...(trusted ?? [])].find((candidate) => candidate.keyId === head.keyId);
  if (!key) return 'unknown-key';
  if (!signatureHolds(head, key)) return 'invalid';
  if (trusted && !trusted.some((anchor) => anchor.publicKey === key.publicKey)) return 'untrusted-key';
  return 'valid';
}

const SIGNATURE_PROBLEMS: Record<Exclude<SignatureState, 'valid'>, string> = {
  invalid: 'does not verify with the key it names: it was made by another key, or what it signs was changed',
  'unknown-key': 'names a key the bundle does not carry',
  'untrusted-key': 'is by a key that is not one of the keys you trust',
};

/**
 * Recomputes everything a bundle states, from its events alone: order, links, signed heads, signatures,
 * and the answers at each instant. Needs no platform and no network.
 * `trusted`: the public keys the auditor holds from the platform; without them a signature can only be
 * checked against the key the bundle itself carries.
 */
export function verifyAuditBundle(bundle: AuditBundle, trusted?: readonly PublicAuditKey[]): BundleVerification {
  if (bundle.format !== BUNDLE_FORMAT) return { intact: false, findings: [`not an audit bundle of format ${BUNDLE_FORMAT}`], signatures: [], writeSignatures: [], anchored: false };
  const writeHeads = bundle.writeHeads ?? [];
  const findings: string[] = [];
  const projectStream = streamIdOf(projectAccessStream(bundle.project));
  const labStreamId = streamIdOf(labStream(bundle.lab));
  for (const expected of [projectStream, labStreamId]) {
    if (!bundle.streams.some(({ stream }) => stream === expected)) findings.push(`the bundle lacks the stream ${expected}, which decides access to ${bundle.project}`);
  }
  for (const stream of bundle.streams) {
    findings.push(
      ...orderFindings(stream),
      ...linkFindings(stream),
      ...headFindings(stream, bundle.heads.find((head) => head.stream === stream.stream)),
      ...headFindings(stream, writeHeads.find((head) => head.stream === stream.stream), 'write'),
    );
  }
  const checked = (heads: readonly SignedHead[], kind: keyof typeof HEAD_KINDS) =>
    heads.map((head) => {
      const check = { stream: head.stream, keyId: head.keyId, signedAt: head.signedAt, state: signatureState(head, bundle.keys, trusted) };
      if (check.state !== 'valid') findings.push(`the signature of the ${HEAD_KINDS[kind].signed} of ${check.stream} (key ${check.keyId}) ${SIGNATURE_PROBLEMS[check.state]}`);
      if (!bundle.streams.some((candidate) => candidate.stream === check.stream)) findings.push(`a head is signed for ${check.stream}, which the bundle does not carry`);
      return check;
    });
  const signatures = checked(bundle.heads, 'export');
  const writeSignatures = checked(writeHeads, 'write');
  const projectEvents = (bundle.streams.find(({ stream }) => stream === projectStream)?.events ?? []) as unknown as ProjectAccessEvent[];
  const labEvents = (bundle.streams.find(({ stream }) => stream === labStreamId)?.events ?? []) as unknown as (LabEvent & { time: string })[];
  for (const answer of bundle.answers) {
    let replayed: StatedAccess[];
    try {
      replayed = accessFoldedAt(projectEvents, labEvents, new Date(answer.at)).replayed;
    } catch (error) {
      findings.push(`the answer at ${answer.at} cannot be recomputed: ${(error as Error).message}`);
      continue;
    }
    const sides = { replayed: 'the replay of its events', stated: 'the bundle' };
    findings.push(...differencesBetween(replayed, answer.people, sides).map((difference) => `the answer at ${answer.at} is not what its events give: ${difference}`));
  }
  return {
    intact: findings.length === 0,
    findings,
    signatures,
    writeSignatures,
    anchored: trusted !== undefined && [...signatures, ...writeSignatures].every(({ state }) => state === 'valid'),
  };
}

/**
 * The signatures' state in words, as `audit verify-bundle` prints it and the auditor's page shows it;
 * `anchor` names the trusted keys (the platform itself checks with its own current key).
 */
export function describeSignatures(verification: Pick<BundleVerification, 'signatures' | 'anchored'>, anchor = 'a key you trust'): string {
  const { signatures, anchored } = verification;
  if (signatures.length === 0) return 'No signature: nothing vouches for these events.';
  const keys = [...new Set(signatures.map(({ keyId }) => keyId))].join(', ');
  const bad = signatures.filter(({ state }) => state !== 'valid');
  if (bad.length > 0) return `${bad.length} of ${signatures.length} signed heads do NOT verify (${bad.map(({ stream, state }) => `${stream}: ${state}`).join('; ')}).`;
  const signedAt = [...new Set(signatures.map((signature) => signature.signedAt))].join(', ');
  return anchored
    ? `All ${signatures.length} signed heads verify with ${keys}, ${anchor}; signed at ${signedAt}.`
    : `All ${signatures.length} signed heads verify with ${keys}, the key the bundle carries; signed at ${signedAt}. Pass the platform's public key (--trusted-key) to know it is the platform's.`;
}

/**
 * For the auditor's page, per stream: whether the access service signed its events as it committed them,
 * which a head signed at export cannot tell (the export would sign a rewrite made before it).
 */
export function describeWriteTimeSignatures(bundle: Pick<AuditBundle, 'streams' | 'writeHeads'>, verification: Pick<BundleVerification, 'writeSignatures'>): string[] {
  const heads = bundle.writeHeads ?? [];
  return bundle.streams.map((stream) => {
    const what = `${stream.decides === 'project-access' ? "The project's access" : "The lab's membership"} (${stream.stream}, ${stream.events.length} events)`;
    const index = heads.findIndex((head) => head.stream === stream.stream);
    if (index < 0) return `${what}: the access service signed none of it as it committed, so nothing shows it was not rewritten before now.`;
    const head = heads[index];
    const state = verification.writeSignatures[index]?.state ?? 'unknown-key';
    if (state !== 'valid') return `${what}: the signature made as it was committed ${SIGNATURE_PROBLEMS[state]}.`;
    const signed = `signed as committed by ${head.keyId}, last at ${head.signedAt}`;
    const problems = headFindings(stream, head, 'write');
    if (problems.length > 0) return `${what}: its first ${head.length} events were ${signed}, but ${problems.map((problem) => problem.slice(stream.stream.length + 2)).join('; ')}.`;
    return `${what}: every event ${signed}; the signature verifies.`;
  });
}

/** The heads the access service signed as it committed, in words: each stream's newest, how long, and when. */
export function describeWriteHeads(bundle: Pick<AuditBundle, 'writeHeads'>, verification: Pick<BundleVerification, 'writeSignatures'>): string {
  const heads = bundle.writeHeads ?? [];
  if (heads.length === 0) return 'None: the access service signed no head as it committed.';
  return heads
    .map((head, index) => `${head.stream}: ${head.length} events, signed at ${head.signedAt} by ${head.keyId} (${verification.writeSignatures[index]?.state ?? 'unchecked'})`)
    .join('; ');
}
