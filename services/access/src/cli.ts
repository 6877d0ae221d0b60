import { readFileSync, writeFileSync } from 'node:fs';
import { MongoClient, type Db } from 'mongodb';
import { connect, type NatsConnection } from 'nats';
import { EsdbEventStore, JetStreamEventStore, type EventStore } from '@cairn/event-store';
import { ProjectionState, rebuildProjection, ReadModelCollections, type Projection, type RebuildProgress } from '@cairn/read-models';
import { natsConnectionOptions } from '@cairn/messaging';
import { serviceConfigFromEnv } from '@cairn/runtime';
import {
  describeAccess,
  describeVerification,
  replayProjectAccess,
  UnknownProjectError,
  verifyProjectChain,
} from './application/access-history-check';
import { describeSignatures, describeWriteHeads, exportAuditBundle, verifyAuditBundle, type AuditBundle } from './application/audit-bundle';
import { auditSignerFromEnv, MissingSigningKeyError, trustedKeyFromPem } from './application/audit-signing-key';
import { compareReadModels } from './application/read-model-check';
import { accessProjections } from './projections';
import { ACCESS_AUDIT, AccessAuditQuery } from './projections/access-audit.projection';
import { ACCESS_INTERVALS, AccessTimelines } from './projections/access-intervals.projection';

const USAGE = `usage: npm run cairn -- <command>

  audit replay --project <id> [--at <time>]
      Folds the project's access events (and its lab's, for base-level membership) straight from the
      event store, prints who had which role at that time (default now) and why, and compares it with the
      access_intervals read model. Exit status 1 when they differ.
  audit verify --project <id>
      Checks the SHA-256 hash chain of the project's access stream, then compares the read models auditors
      are shown (the history, access_audit, and "access at", access_intervals at every change) with a
      replay of the event store and lists every difference. Exit status 1 at a broken link or a difference.
  audit export --project <id> --out <file> [--at <time>]...
      Writes the project's audit bundle (docs/audit-bundle.md): its access and lab events read from the
      event store, their chain, heads signed with the key in CAIRN_AUDIT_SIGNING_KEY_FILE, the public key,
      and who had what and why at each --at.
  audit verify-bundle <file> [--trusted-key <pem file>]...
      Recomputes a bundle's order, links, signed heads, signatures and answers, offline, and names every
      place it was changed. --trusted-key: the platform's public key(s), old ones included after a rotation.
      Exit status 1 when anything does not verify.
  projections rebuild <name>
      Rebuilds a read model of the access service beside the live one and swaps (${accessProjections.map((p) => p.name).join(', ')}).

<time> is ISO 8601 with its offset, e.g. 2025-01-06T09:30:00Z.
Environment: NATS_URL, MONGO_URL, MONGO_DB (the access service's; defaults as for the service).`;

/** Where the CLI writes: stdout lines, stderr lines, and a progress line that may overwrite itself. */
export interface CliIo {
  env: NodeJS.ProcessEnv;
  out(line: string): void;
  err(line: string): void;
  progress(line: string): void;
}

export const EXIT_OK = 0;
/** A check failed: the replay differs from the read model, or the hash chain is broken. */
export const EXIT_CHECK_FAILED = 1;
export const EXIT_USAGE = 2;

type CliCommand =
  | { name: 'audit replay'; project: string; at: Date }
  | { name: 'audit verify'; project: string }
  | { name: 'audit export'; project: string; out: string; instants: Date[] }
  | { name: 'audit verify-bundle'; file: string; trustedKeys: string[] }
  | { name: 'projections rebuild'; projection: Projection };

class UsageError extends Error {}

const INSTANT = /^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2}))?$/;

/** `--name value` and `--name=value` options (each at most once, but for the `repeatable`) and the remaining words. */
function splitArguments(args: string[], known: string[], repeatable: string[] = []): { words: string[]; options: Map<string, string>; repeated: Map<string, string[]> } {
  const words: string[] = [];
  const options = new Map<string, string>();
  const repeated = new Map<string, string[]>();
  for (let index = 0; index < args.length; index += 1) {
    const arg = args[index];
    if (!arg.startsWith('--')) {
      words.push(arg);
      continue;
    }
    const [name, inline] = arg.slice(2).split(/=(.*)/s, 2);
    if (!known.includes(name) && !repeatable.includes(name)) throw new UsageError(`unknown option --${name}`);
    if (options.has(name)) throw new UsageError(`--${name} is given twice`);
    const value = inline ?? args[(index += 1)];
    if (value === undefined || value === '') throw new UsageError(`--${name} needs a value`);
    if (repeatable.includes(name)) repeated.set(name, [...(repeated.get(name) ?? []), value]);
    else options.set(name, value);
  }
  return { words, options, repeated };
}

function parseCommand(args: string[], now: Date): CliCommand {
  const [group, action, ...rest] = args;
  const command = `${group ?? ''} ${action ?? ''}`.trim();
  switch (command) {
    case 'audit replay':
    case 'audit verify': {
      const { words, options } = splitArguments(rest, command === 'audit replay' ? ['project', 'at'] : ['project']);
      if (words.length > 0) throw new UsageError(`unexpected ${words.join(' ')}`);
      const project = options.get('project');
      if (!project) throw new UsageError(`${command} needs --project <id>`);
      if (command === 'audit verify') return { name: command, project };
      const at = options.get('at');
      return { name: command, project, at: at === undefined ? now : parseInstant(at) };
    }
    case 'audit export': {
      const { words, options, repeated } = splitArguments(rest, ['project', 'out'], ['at']);
      if (words.length > 0) throw new UsageError(`unexpected ${words.join(' ')}`);
      const project = options.get('project');
      const out = options.get('out');
      if (!project || !out) throw new UsageError('audit export needs --project <id> and --out <file>');
      return { name: command, project, out, instants: (repeated.get('at') ?? []).map(parseInstant) };
    }
    case 'audit verify-bundle': {
      const { words, repeated } = splitArguments(rest, [], ['trusted-key']);
      if (words.length !== 1) throw new UsageError('audit verify-bundle needs one bundle file');
      return { name: command, file: words[0], trustedKeys: repeated.get('trusted-key') ?? [] };
    }
    case 'projections rebuild': {
      const { words } = splitArguments(rest, []);
      if (words.length !== 1) throw new UsageError('projections rebuild needs one read model name');
      const projection = accessProjections.find((candidate) => candidate.name === words[0]);
      if (!projection) {
        throw new UsageError(`"${words[0]}" is not a read model of the access service (${accessProjections.map(({ name }) => name).join(', ')})`);
      }
      return { name: command, projection };
    }
    default:
      throw new UsageError(command === '' ? 'a command is needed' : `unknown command "${command}"`);
  }
}

function parseInstant(at: string): Date {
  const instant = new Date(at);
  if (!INSTANT.test(at) || Number.isNaN(instant.getTime())) throw new UsageError(`--at "${at}" is not an ISO 8601 time with its offset, e.g. 2025-01-06T09:30:00Z`);
  return instant;
}

/** The connections one command needs, closed whatever happens. */
class Connections {
  private nats?: NatsConnection;
  private mongo?: MongoClient;
  private eventStore?: EventStore;

  constructor(private readonly env: NodeJS.ProcessEnv) {}

  private get config() {
    return serviceConfigFromEnv('access', this.env);
  }

  async nc(): Promise<NatsConnection> {
    this.nats ??= await connect(natsConnectionOptions({ kind: 'cli' }, this.env));
    return this.nats;
  }

  /** The system of record: JetStream, or EventStoreDB itself in that mode (never the relay's copy on the bus). */
  async store(): Promise<EventStore> {
    const { eventStore, esdbUrl } = this.config;
    this.eventStore ??= eventStore === 'esdb' ? await EsdbEventStore.connect({ connectionString: esdbUrl }) : await JetStreamEventStore.connect({ nc: await this.nc() });
    return this.eventStore;
  }

  get storeKind(): 'jetstream' | 'esdb' {
    return this.config.eventStore;
  }

  async db(): Promise<Db> {
    this.mongo ??= await MongoClient.connect(this.config.mongoUrl, { appName: 'cairn-cli' });
    return this.mongo.db(this.config.mongoDb);
  }

  async close(): Promise<void> {
    await this.eventStore?.close();
    await this.nats?.drain().catch(() => undefined);
    await this.mongo?.close();
  }
}

async function auditReplay(connections: Connections, io: CliIo, project: string, at: Date): Promise<number> {
  const db = await connections.db();
  const timelines = new AccessTimelines(() => new ReadModelCollections(db, { cacheMs: 0 }).resolve(ACCESS_INTERVALS));
  const report = await replayProjectAccess(await connections.store(), timelines, project, at);
  io.out(
    `Project ${report.project} (${report.scheme} scheme, lab ${report.lab}) at ${report.at}, ` +
      `replayed from the event store: ${report.projectEvents} project access events, ${report.labEvents} lab events.`,
  );
  if (report.replayed.length === 0) io.out('  nobody had access');
  const width = Math.max(0, ...report.replayed.map((access) => access.user.length));
  for (const access of report.replayed) io.out(`  ${access.user.padEnd(width)}  ${describeAccess(access)}`);
  const checkpoint = await new ProjectionState(db).checkpoint(ACCESS_INTERVALS);
  const model = `Read model ${ACCESS_INTERVALS} (applied up to position ${checkpoint?.position ?? 0})`;
  if (report.differences.length === 0) {
    io.out(`${model} agrees.`);
    return EXIT_OK;
  }
  io.out(`${model} DIFFERS on ${report.differences.length}:`);
  for (const difference of report.differences) io.out(`  ${difference}`);
  return EXIT_CHECK_FAILED;
}

async function auditVerify(connections: Connections, io: CliIo, project: string): Promise<number> {
  const store = await connections.store();
  const verification = await verifyProjectChain(store, project);
  io.out(describeVerification(project, verification));
  const collections = new ReadModelCollections(await connections.db(), { cacheMs: 0 });
  const comparison = await compareReadModels(
    store,
    new AccessAuditQuery(() => collections.resolve(ACCESS_AUDIT)),
    new AccessTimelines(() => collections.resolve(ACCESS_INTERVALS)),
    project,
  );
  const compared = `${comparison.historyEntries} history entries (${ACCESS_AUDIT}) and access at ${comparison.instants} instants (${ACCESS_INTERVALS})`;
  if (comparison.differences.length === 0) io.out(`read models agree with a replay of the event store: ${compared}`);
  else {
    io.out(`read models DIFFER from a replay of the event store on ${comparison.differences.length} (${compared}):`);
    for (const difference of comparison.differences) io.out(`  ${difference}`);
  }
  return verification.intact && comparison.differences.length === 0 ? EXIT_OK : EXIT_CHECK_FAILED;
}

async function auditExport(connections: Connections, io: CliIo, command: Extract<CliCommand, { name: 'audit export' }>): Promise<number> {
  const signer = auditSignerFromEnv(io.env);
  const bundle = await exportAuditBundle({ store: await connections.store(), eventStore: connections.storeKind, project: command.project, instants: command.instants, signer });
  writeFileSync(command.out, `${JSON.stringify(bundle, null, 2)}\n`);
  const events = bundle.streams.map(({ stream, events: { length } }) => `${length} of ${stream}`).join(', ');
  io.out(`wrote ${command.out}: ${events}; heads signed with ${signer.key.keyId}; ${bundle.writeHeads.length} head(s) signed at write time; ${bundle.answers.length} answer(s)`);
  return EXIT_OK;
}

/** Reads and checks a bundle file; touches no platform. */
function auditVerifyBundle(io: CliIo, file: string, trustedKeys: string[]): number {
  let bundle: AuditBundle;
  try {
    bundle = JSON.parse(readFileSync(file, 'utf8')) as AuditBundle;
  } catch (error) {
    io.out(`${file}: NOT VERIFIED: it is not a readable JSON bundle (${(error as Error).message})`);
    return EXIT_CHECK_FAILED;
  }
  const verification = verifyAuditBundle(bundle, trustedKeys.length > 0 ? trustedKeys.map((key) => trustedKeyFromPem(readFileSync(key))) : undefined);
  const counts = (bundle.streams ?? []).map(({ stream, events }) => `${stream}: ${events?.length ?? 0} events`).join('; ');
  io.out(`${file}: project ${bundle.project}, exported ${bundle.exportedAt} from ${bundle.eventStore} (${counts})`);
  io.out(`Signatures: ${describeSignatures(verification)}`);
  io.out(`Signed at write time: ${describeWriteHeads(bundle, verification)}`);
  for (const answer of bundle.answers ?? []) io.out(`Answer at ${answer.at}: ${answer.people.length === 0 ? 'nobody had access' : answer.people.map((access) => `${access.user} ${describeAccess(access)}`).join('; ')}`);
  if (verification.intact) {
    io.out('VERIFIED: every event, link, signed head and answer recomputes.');
    return EXIT_OK;
  }
  io.out(`NOT VERIFIED: ${verification.findings.length} problem(s):`);
  for (const finding of verification.findings) io.out(`  ${finding}`);
  return EXIT_CHECK_FAILED;
}

async function projectionsRebuild(connections: Connections, io: CliIo, projection: Projection): Promise<number> {
  const { name } = projection;
  let shownAt = 0;
  const show = (progress: RebuildProgress, force = false) => {
    if (!force && Date.now() - shownAt < 1_000) return;
    shownAt = Date.now();
    io.progress(`${name}: ${progress.applied}/${progress.total}, ${progress.ratePerSecond} events/s (${progress.events} events)`);
  };
  let last: RebuildProgress | undefined;
  const result = await rebuildProjection({
    nc: await connections.nc(),
    db: await connections.db(),
    projection,
    onProgress: (progress) => {
      last = progress;
      show(progress);
    },
  });
  if (last) show(last, true);
  io.out(`rebuilt ${name}: ${result.events} events into ${result.collection}; the live model continues after position ${result.position}`);
  return EXIT_OK;
}

/** The whole CLI as a function: arguments in, lines out, exit status back. */
export async function runCairnCli(args: string[], io: CliIo, now = new Date()): Promise<number> {
  let command: CliCommand;
  try {
    command = parseCommand(args, now);
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    io.err(`${error.message}\n\n${USAGE}`);
    return EXIT_USAGE;
  }
  if (command.name === 'audit verify-bundle') return auditVerifyBundle(io, command.file, command.trustedKeys);
  const connections = new Connections(io.env);
  try {
    switch (command.name) {
      case 'audit replay':
        return await auditReplay(connections, io, command.project, command.at);
      case 'audit verify':
        return await auditVerify(connections, io, command.project);
      case 'audit export':
        return await auditExport(connections, io, command);
      case 'projections rebuild':
        return await projectionsRebuild(connections, io, command.projection);
    }
  } catch (error) {
    if (!(error instanceof UnknownProjectError || error instanceof MissingSigningKeyError)) throw error;
    io.err(error.message);
    return EXIT_CHECK_FAILED;
  } finally {
    await connections.close();
  }
}

function consoleIo(): CliIo {
  const tty = process.stdout.isTTY;
  let overwriting = false;
  const endProgress = () => {
    if (overwriting) process.stdout.write('\n');
    overwriting = false;
  };
  return {
    env: process.env,
    out: (line) => {
      endProgress();
      console.log(line);
    },
    err: (line) => {
      endProgress();
      console.error(line);
    },
    progress: (line) => {
      if (!tty) return console.log(line);
      process.stdout.write(`\r${line}\u001b[K`);
      overwriting = true;
    },
  };
}

if (require.main === module) {
  runCairnCli(process.argv.slice(2), consoleIo()).then(
    (status) => process.exit(status),
    (error: Error) => {
      console.error(`cairn: ${error.stack ?? error.message}`);
      process.exit(1);
    },
  );
}
