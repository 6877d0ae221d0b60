import { posix } from 'node:path';

/**
 * Where a job's inputs go below its `inputs/` folder: each under its path in the project's file space
 * (`raw/run1/img_0001.cbf`), so programs that read a folder's structure find it, and equal names in
 * different folders never meet. A path the folder could not hold as it is gets its base name made
 * unique (`a-2.txt`): the same path twice, or a name an input's folder already has; one whose folder is
 * another input's file goes to the top of `inputs/`. `..` and empty parts are dropped.
 */
export function stagedPathsOf(paths: readonly string[]): string[] {
  const files = new Set<string>();
  const folders = new Set<string>();
  const ancestorsOf = (folder: string[]) => folder.map((_, index) => folder.slice(0, index + 1).join('/'));
  const taken = (candidate: string) => files.has(candidate) || folders.has(candidate);
  return paths.map((path) => {
    const parts = posix
      .normalize(`/${path}`)
      .split('/')
      .filter((part) => part !== '' && part !== '.' && part !== '..');
    const name = parts.pop() ?? 'input';
    if (ancestorsOf(parts).some((ancestor) => files.has(ancestor))) parts.length = 0;
    const folder = parts.join('/');
    const extension = posix.extname(name);
    const stem = name.slice(0, name.length - extension.length);
    const at = (fileName: string) => (folder === '' ? fileName : `${folder}/${fileName}`);
    let candidate = at(name);
    for (let copy = 2; taken(candidate); copy += 1) candidate = at(`${stem}-${copy}${extension}`);
    files.add(candidate);
    ancestorsOf(parts).forEach((ancestor) => folders.add(ancestor));
    return candidate;
  });
}
