import { natsServersOf } from './nats-servers';

describe('NATS_URL', () => {
  it('names one server', () => {
    expect(natsServersOf('nats://127.0.0.1:4222')).toEqual(['nats://127.0.0.1:4222']);
  });

  it('names the servers of a cluster, separated by commas (spaces around them ignored)', () => {
    expect(natsServersOf('nats://nats-0:4222, nats://nats-1:4222,nats://nats-2:4222')).toEqual([
      'nats://nats-0:4222',
      'nats://nats-1:4222',
      'nats://nats-2:4222',
    ]);
  });

  it('names at least one server', () => {
    expect(() => natsServersOf(' , ')).toThrow('no NATS server in " , "');
  });
});
