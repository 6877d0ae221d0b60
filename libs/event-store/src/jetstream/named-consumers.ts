import type { ConsumerConfig, ConsumerInfo, Consumers, JetStreamOptions, NatsConnection } from 'nats';
import { ConsumerApiAction } from 'nats/lib/jetstream/jsapi_types';
import { ConsumerAPIImpl } from 'nats/lib/jetstream/jsmconsumer_api';
import { ConsumersImpl } from 'nats/lib/jetstream/jsmstream_api';

/**
 * Creates every consumer through a subject that names it, `$JS.API.CONSUMER.CREATE.<stream>.<name>`.
 * nats.js 2.x sends a consumer with several filter subjects through the legacy `$JS.API.CONSUMER.CREATE.<stream>`,
 * which creates or updates whatever consumer the request's body names: NATS refuses that subject to every
 * identity but the operator (`natsPermissionsOf`), so that no service can change another's durable through it.
 * nats-server (2.10 on) takes several filters on the named subject as long as it carries no filter token.
 */
class NamedConsumerAPI extends ConsumerAPIImpl {
  override async add(stream: string, config: ConsumerConfig, action = ConsumerApiAction.Create): Promise<ConsumerInfo> {
    const name = config.name || config.durable_name;
    if (!Array.isArray(config.filter_subjects)) return super.add(stream, config, action);
    if (!name) throw new Error(`a consumer of several filter subjects on ${stream} needs a name`);
    return (await this._request(`${this.prefix}.CONSUMER.CREATE.${stream}.${name}`, { stream_name: stream, config, action })) as ConsumerInfo;
  }
}

/** `js.consumers` (ordered consumers included), creating each consumer by name. */
export function namedConsumers(nc: NatsConnection, options?: JetStreamOptions): Consumers {
  return new ConsumersImpl(new NamedConsumerAPI(nc, options));
}
