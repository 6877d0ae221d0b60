import { createWriteStream } from 'node:fs';
import { chmod, mkdir, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { delimiter, dirname, join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import type { InputSource, OutputFile, Workspace } from './backend';

/** Folders and files only their owner reads, whatever the process's umask: a shared file system holds project data. */
export const PRIVATE = { folder: 0o700, file: 0o600 } as const;

/** `mkdir` with exactly this mode (a umask only takes bits away, so the mode is set again after). */
export async function makeFolder(path: string, mode: number | undefined): Promise<void> {
  await mkdir(path, mode === undefined ? {} : { mode });
  if (mode !== undefined) await chmod(path, mode);
}

/** A file only its owner reads, whatever the umask. */
export async function writePrivately(path: string, content: string): Promise<void> {
  await writeFile(path, content, { mode: PRIVATE.file });
  await chmod(path, PRIVATE.file);
}

/**
 * Lays a job's folder out as every backend does (`inputs/` with the staged inputs, an empty `out/`, a
 * `tmp/`, and the runner's own folder `runnerFolder` when named) in `workDir`, an empty folder the
 * caller made; with `modes`, every folder and staged file gets them. A failure removes the folder.
 */
export async function stageWorkspace(
  workDir: string,
  jobId: string,
  inputs: readonly InputSource[],
  runnerFolder?: string,
  modes?: typeof PRIVATE,
): Promise<Workspace> {
  const workspace: Workspace = { jobId, workDir, outputDir: join(workDir, 'out'), inputPaths: [], ...(runnerFolder === undefined ? {} : { runnerDir: join(workDir, runnerFolder) }) };
  try {
    for (const folder of ['inputs', 'out', 'tmp', ...(runnerFolder === undefined ? [] : [runnerFolder])]) await makeFolder(join(workDir, folder), modes?.folder);
    const inputsDir = join(workDir, 'inputs');
    for (const input of inputs) {
      const path = join(inputsDir, input.name);
      await makeFolders(inputsDir, dirname(input.name), modes?.folder);
      await pipeline(await input.open(), createWriteStream(path, { flags: 'wx', ...(modes && { mode: modes.file }) }));
      if (modes) await chmod(path, modes.file);
      workspace.inputPaths.push(path);
    }
    return workspace;
  } catch (error) {
    await rm(workDir, { recursive: true, force: true });
    throw error;
  }
}

/** The folders of `relative` below `base`, one by one, each with the mode. */
async function makeFolders(base: string, relative: string, mode: number | undefined): Promise<void> {
  let current = base;
  for (const part of relative.split('/').filter((segment) => segment !== '' && segment !== '.')) {
    current = join(current, part);
    await makeFolder(current, mode).catch((error: NodeJS.ErrnoException) => {
      if (error.code !== 'EEXIST') throw error;
    });
  }
}

/** Every regular file below `folder`, by its path relative to it, in name order (links are not followed). */
export async function filesBelow(folder: string): Promise<OutputFile[]> {
  const files: OutputFile[] = [];
  const walk = async (current: string, prefix: string) => {
    for (const entry of await readdir(current, { withFileTypes: true })) {
      const localPath = join(current, entry.name);
      const relativePath = prefix === '' ? entry.name : `${prefix}/${entry.name}`;
      if (entry.isDirectory()) await walk(localPath, relativePath);
      else if (entry.isFile()) files.push({ relativePath, localPath, size: (await stat(localPath)).size });
    }
  };
  await walk(folder, '');
  return files.sort((a, b) => (a.relativePath < b.relativePath ? -1 : a.relativePath > b.relativePath ? 1 : 0));
}

/**
 * A command's whole environment, made here rather than inherited: the runner's token and secrets never
 * reach a command. `binDirs` come first on PATH, then the runner's own node (the demo programs'
 * `#!/usr/bin/env node`).
 */
export function commandEnvironment(workspace: Workspace, binDirs: readonly string[], extra: Record<string, string> = {}): Record<string, string> & { PATH: string } {
  return {
    PATH: [...binDirs, dirname(process.execPath), process.env.PATH ?? '/usr/local/bin:/usr/bin:/bin'].join(delimiter),
    HOME: workspace.workDir,
    TMPDIR: join(workspace.workDir, 'tmp'),
    LANG: process.env.LANG ?? 'C.UTF-8',
    ...extra,
  };
}
