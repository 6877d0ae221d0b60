import type { JetStreamManager, StreamConfig } from 'nats';

/**
 * Creates the stream unless it exists, and leaves an existing one as it is: of two processes creating it
 * at once, the second finds it made. Resolves to the existing stream's configuration, if there was one.
 */
export async function addStreamIfMissing(jsm: JetStreamManager, config: Partial<StreamConfig> & { name: string }): Promise<StreamConfig | undefined> {
  const existing = await jsm.streams.info(config.name).catch((error: Error) => {
    if (/stream not found/i.test(error.message)) return undefined;
    throw error;
  });
  if (existing) return existing.config;
  await jsm.streams.add(config).catch((error: Error) => {
    if (!/already in use/i.test(error.message)) throw error;
  });
  return undefined;
}
