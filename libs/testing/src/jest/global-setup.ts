// The harness's modules import the libraries by their path aliases, which Jest maps for tests only.
import 'tsconfig-paths/register';
import { startFerretDb } from '../ferretdb';

/** Starts the run's shared FerretDB when int or e2e tests are part of the run. */
export default async function globalSetup(config: { selectedProjects?: string[]; projects?: unknown[] }): Promise<void> {
  const selected = config.selectedProjects ?? [];
  if (selected.length > 0 && selected.every((name) => name === 'unit')) return;
  const ferret = await startFerretDb();
  process.env.CAIRN_TEST_MONGO_URL = ferret.url;
  (globalThis as { __cairnFerret?: typeof ferret }).__cairnFerret = ferret;
}
