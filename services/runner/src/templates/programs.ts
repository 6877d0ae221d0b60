import { existsSync, realpathSync } from 'node:fs';
import { chmod, mkdir, writeFile } from 'node:fs/promises';
import { dirname, extname, join } from 'node:path';

/** The demo templates' programs by the name their commands call them, and the folder of each one's `main`. */
export const DEMO_PROGRAMS = {
  'cairn-file-stats': 'file-statistics',
  'cairn-render-molecule': 'render-molecule',
  'cairn-dials': 'dials',
} as const;

/**
 * Writes a launcher for each demo program into `binDir`, for the runner to put first on a command's
 * PATH (with its own node right after it, so `#!/usr/bin/env node` is this node). Each loads the
 * program compiled beside this file, so a machine needs nothing but the project; when the runner itself
 * runs from its TypeScript source (its tests), the launcher runs the program's source through ts-node.
 */
export async function installDemoPrograms(binDir: string): Promise<string> {
  await mkdir(binDir, { recursive: true });
  const fromSource = extname(__filename) === '.ts';
  for (const [command, folder] of Object.entries(DEMO_PROGRAMS)) {
    const main = join(__dirname, folder, `main${extname(__filename)}`);
    const load = fromSource
      ? [
          `require(${JSON.stringify(require.resolve('ts-node'))}).register({ transpileOnly: true, projectSearchDir: ${JSON.stringify(dirname(main))} });`,
          `require(${JSON.stringify(main)});`,
        ]
      : [`require(${JSON.stringify(main)});`];
    const launcher = join(binDir, command);
    await writeFile(launcher, ['#!/usr/bin/env node', `// ${command}: a demo template's program, put here by the Cairn runner.`, ...load, ''].join('\n'));
    await chmod(launcher, 0o755);
  }
  return binDir;
}

/**
 * What the launchers load, for a sandbox to show read-only: the runner's compiled code (the programs
 * and the domain functions they share), and from source also ts-node's packages and the TypeScript
 * configuration it reads.
 */
export function demoProgramSources(): string[] {
  const code = dirname(__dirname);
  if (extname(__filename) !== '.ts') return [code];
  const tsNode = realpathSync(require.resolve('ts-node'));
  const packages = tsNode.slice(0, tsNode.lastIndexOf(`${join('node_modules', 'ts-node')}`) + 'node_modules'.length);
  const repo = join(code, '..', '..', '..');
  return [code, packages, ...['tsconfig.json', 'tsconfig.base.json'].map((name) => join(repo, name)).filter((path) => existsSync(path))];
}
