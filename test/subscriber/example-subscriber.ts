/**
 * An example of how another facility system follows Cairn's events (docs/subscribing.md explains each
 * step). It uses nothing of Cairn's code: only the `nats` client and the published contract (stream
 * CAIRN_EVENTS, subjects `cairn.events.<context>.<aggregate>.<id>`, structured CloudEvents bodies, `cairn-*` headers).
 *
 *   NATS_URL=tls://nats.example.org:4222 NATS_NKEY_SEED_FILE=/run/secrets/billing.nk NATS_CA_FILE=/etc/cairn/ca.pem \
 *   node example-subscriber.js --name billing [--from-start | --since 2026-12-01T00:00:00Z] [--type access.role.granted]
 *
 * `--name` is the subscriber's name as its credentials were issued (`subscriber:billing`): it may use
 * only the durable consumer of that name, and gets its replies only under `_INBOX_subscriber-billing`.
 * Prints one line per event as it happens, and resumes where it stopped after a restart: its durable
 * consumer remembers what it acknowledged, and it acknowledges an event only once it has handled it.
 */
import { readFileSync } from 'node:fs';
import { AckPolicy, connect, DeliverPolicy, nkeyAuthenticator, type ConnectionOptions, type ConsumerConfig, type JsMsg, type NatsConnection } from 'nats';

const STREAM = 'CAIRN_EVENTS';

interface Options {
  name: string;
  natsUrl: string;
  deliver: { policy: 'new' } | { policy: 'all' } | { policy: 'since'; time: string };
  /** Event families (`access.role.granted`) to print; every event when empty. */
  types: string[];
}

function parseOptions(args: string[]): Options {
  const options: Options = { name: '', natsUrl: process.env.NATS_URL ?? 'nats://127.0.0.1:4222', deliver: { policy: 'new' }, types: [] };
  for (let index = 0; index < args.length; index++) {
    const value = () => {
      const next = args[++index];
      if (next === undefined) throw new Error(`${args[index - 1]} needs a value`);
      return next;
    };
    switch (args[index]) {
      case '--name':
        options.name = value();
        break;
      case '--nats':
        options.natsUrl = value();
        break;
      case '--from-start':
        options.deliver = { policy: 'all' };
        break;
      case '--since': {
        const time = value();
        if (Number.isNaN(Date.parse(time))) throw new Error(`--since needs an ISO 8601 time, not "${time}"`);
        options.deliver = { policy: 'since', time: new Date(time).toISOString() };
        break;
      }
      case '--type':
        options.types.push(value());
        break;
      default:
        throw new Error(`unknown argument ${args[index]}`);
    }
  }
  if (!/^[A-Za-z0-9_-]+$/.test(options.name)) throw new Error('--name <durable consumer name> is needed (letters, digits, _ and -)');
  return options;
}

/** Where a new consumer starts. An existing one resumes from what it acknowledged, whatever these say. */
function startOf(deliver: Options['deliver']): Partial<ConsumerConfig> {
  switch (deliver.policy) {
    case 'all':
      return { deliver_policy: DeliverPolicy.All };
    case 'since':
      return { deliver_policy: DeliverPolicy.StartTime, opt_start_time: deliver.time };
    case 'new':
      return { deliver_policy: DeliverPolicy.New };
  }
}

/** `access.role.granted.v2` → family `access.role.granted`, version 2. */
function splitType(type: string): { family: string; version: number } {
  const match = /^(.*)\.v(\d+)$/.exec(type);
  return match ? { family: match[1], version: Number(match[2]) } : { family: type, version: 0 };
}

/**
 * The versions of each family this subscriber was written for. A newer version may change the data's
 * shape, so it is reported and left for an update of this code instead of being misread.
 */
const UNDERSTOOD_VERSIONS = 1;

/**
 * One of the envelope's attributes from the headers, which repeat them: filtering needs no parsing of the
 * body. Messages stored before Cairn's structured form have them as `ce-<attribute>`, and a replay from
 * the start meets those too (docs/subscribing.md, "What is on the stream").
 */
function header(message: JsMsg, attribute: 'type' | 'time'): string {
  return message.headers?.get(`cairn-${attribute}`) || message.headers?.get(`ce-${attribute}`) || '';
}

function handle(message: JsMsg, types: string[]): void {
  const type = header(message, 'type');
  const { family, version } = splitType(type);
  if (types.length > 0 && !types.includes(family)) return;
  if (version > UNDERSTOOD_VERSIONS) {
    console.log(`${header(message, 'time')} ${type} (version ${version} is newer than this subscriber understands; skipped)`);
    return;
  }
  const event = message.json<{ time: string; type: string; subject: string; position: number; actorid?: string; data: unknown }>();
  console.log(`${event.time} ${event.type} ${event.subject} position=${message.seq} actor=${event.actorid ?? '-'} ${JSON.stringify(event.data)}`);
}

/**
 * Cairn reloads its nats-server's authorization whenever it registers a subscriber or a runner, and a
 * connection made during a reload can be refused ('Authorization Violation') or left unanswered though its
 * credentials are good. So the first connection is tried again for a few seconds; credentials that are
 * still refused after that end the program.
 */
async function connectThroughReloads(options: ConnectionOptions): Promise<NatsConnection> {
  const pausesMs = [100, 200, 400, 800, 1_600, 3_200];
  for (let attempt = 0; ; attempt++) {
    try {
      return await connect(options);
    } catch (error) {
      const { code } = error as { code?: string };
      const pauseMs = pausesMs[attempt];
      if (pauseMs === undefined || (code !== 'AUTHORIZATION_VIOLATION' && code !== 'TIMEOUT')) throw error;
      console.error(`NATS refused the connection (${(error as Error).message}); trying again in ${pauseMs} ms`);
      await new Promise((resolve) => setTimeout(resolve, pauseMs));
    }
  }
}

async function main(): Promise<void> {
  const options = parseOptions(process.argv.slice(2));
  // The seed and the CA come from files (mounted secrets), never from the command line.
  const seedFile = process.env.NATS_NKEY_SEED_FILE;
  const caFile = process.env.NATS_CA_FILE;
  const nc = await connectThroughReloads({
    servers: options.natsUrl,
    name: `example-subscriber-${options.name}`,
    inboxPrefix: `_INBOX_subscriber-${options.name}`,
    // A handshake a reload left hanging is given up on after 5 s (not nats.js's 20) and tried again.
    timeout: 5_000,
    ...(seedFile ? { authenticator: nkeyAuthenticator(new TextEncoder().encode(readFileSync(seedFile, 'utf8').trim())) } : {}),
    ...(caFile ? { tls: { caFile } } : {}),
  });
  const manager = await nc.jetstreamManager();
  const existing = await manager.consumers.info(STREAM, options.name).catch(() => undefined);
  if (!existing) {
    await manager.consumers.add(STREAM, {
      durable_name: options.name,
      ack_policy: AckPolicy.Explicit,
      filter_subject: 'cairn.events.>',
      ...startOf(options.deliver),
    });
  }
  const consumer = await nc.jetstream().consumers.get(STREAM, options.name);
  const messages = await consumer.consume();
  const stop = () => {
    messages.stop();
    void nc.drain().then(() => process.exit(0));
  };
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
  console.error(`following ${STREAM} as ${options.name}${existing ? ' (resuming)' : ''}`);
  for await (const message of messages) {
    handle(message, options.types);
    // Only now: a crash before this line delivers the event again after the restart.
    message.ack();
  }
}

main().catch((error: Error) => {
  console.error(`example-subscriber: ${error.message}`);
  process.exit(1);
});
