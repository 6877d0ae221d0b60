import { posix } from 'node:path';

/**
 * The file names a job's inputs get in its scratch folder: each file's base name, made unique
 * (`a.txt`, `a-2.txt`) when two inputs from different folders share one, in the job's input order.
 */
export function stagedNamesOf(paths: readonly string[]): string[] {
  const taken = new Set<string>();
  return paths.map((path) => {
    const base = posix.basename(path);
    const name = base === '' || base === '.' || base === '..' ? 'input' : base;
    const extension = posix.extname(name);
    const stem = name.slice(0, name.length - extension.length);
    let candidate = name;
    for (let copy = 2; taken.has(candidate); copy += 1) candidate = `${stem}-${copy}${extension}`;
    taken.add(candidate);
    return candidate;
  });
}
