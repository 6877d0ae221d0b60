import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { REPO } from './manifests';

/**
 * A service image installs the production dependencies only (`npm prune --omit=dev`, deploy/docker/
 * service.Dockerfile): the console's packages, which vite bundles into static files, and the development
 * tools must not be among them. The lock file says which packages that install keeps.
 */
const lock = JSON.parse(readFileSync(join(REPO, 'package-lock.json'), 'utf8')) as { packages: Record<string, { dev?: boolean }> };
const inProductionImages = (name: string) => lock.packages[`node_modules/${name}`] !== undefined && !lock.packages[`node_modules/${name}`].dev;

/** The packages code under `folder` imports (`from 'preact/hooks'` is the package `preact`), leaving out `skipped`. */
function packagesImportedBy(folder: string, skipped = '\0'): Set<string> {
  const names = new Set<string>();
  for (const entry of readdirSync(folder, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile() || !/\.tsx?$/.test(entry.name) || entry.parentPath.startsWith(skipped)) continue;
    for (const [, specifier] of readFileSync(join(entry.parentPath, entry.name), 'utf8').matchAll(/from '([^.'][^']*)'/g)) {
      if (specifier.startsWith('@cairn/')) continue;
      names.add(specifier.startsWith('@') ? specifier.split('/').slice(0, 2).join('/') : specifier.split('/')[0]);
    }
  }
  return names;
}

const CONSOLE = join(REPO, 'services/console');
const usedByServices = new Set([...packagesImportedBy(join(REPO, 'libs')), ...packagesImportedBy(join(REPO, 'services'), CONSOLE)]);
const consoleOnly = [...packagesImportedBy(CONSOLE)].filter((name) => !name.startsWith('node:') && !usedByServices.has(name));

describe('production images', () => {
  it.each(consoleOnly)(
    'carry none of the packages only the console uses: %s',
    (name) => {
      expect(inProductionImages(name)).toBe(false);
    },
  );

  it.each(['pino-pretty', 'jest', 'typescript', 'nx', 'vite', 'eslint'])('carry no development tool: %s', (name) => {
    expect(inProductionImages(name)).toBe(false);
  });
});
