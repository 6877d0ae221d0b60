import type { FerretDbHandle } from '../ferretdb';

export default async function globalTeardown(): Promise<void> {
  await (globalThis as { __cairnFerret?: FerretDbHandle }).__cairnFerret?.stop();
}
