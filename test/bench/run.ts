import { readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { exitWith } from './exit-with';

/**
 * `npm run bench [-- <filter>]`: runs every `*.bench` module under test/bench (each exports `run()`),
 * one after another so they do not compete for the two cores. Each prints its own figures as ratios.
 */
function benchModules(dir: string): string[] {
  return readdirSync(dir).flatMap((entry) => {
    const path = join(dir, entry);
    if (statSync(path).isDirectory()) return benchModules(path);
    return /\.bench\.js$/.test(entry) ? [path] : [];
  });
}

async function main(): Promise<void> {
  const filter = process.argv[2];
  // Matched within test/bench only: the checkout's own path may hold the filter (a worktree named jobs).
  const modules = benchModules(__dirname).filter((path) => !filter || relative(__dirname, path).includes(filter));
  for (const path of modules) {
    console.log(`\n=== ${relative(__dirname, path)}`);
    const { run } = (await import(path)) as { run?: () => Promise<void> };
    if (typeof run !== 'function') throw new Error(`${path} exports no run()`);
    await run();
  }
}

exitWith(main());
