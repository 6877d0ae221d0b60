import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';

/** Where `deploy/local/install-tools.sh` puts the servers; the same rule as that script. */
export function toolsBinDir(env: NodeJS.ProcessEnv = process.env): string {
  const toolsDir = env.CAIRN_TOOLS_DIR ?? join(env.XDG_CACHE_HOME ?? join(homedir(), '.cache'), 'cairn-tools');
  return join(toolsDir, 'bin');
}

export function toolPath(name: 'nats-server' | 'ferretdb' | 'kustomize'): string {
  const path = join(toolsBinDir(), name);
  if (!existsSync(path)) {
    throw new Error(`${name} is not installed at ${path}: run 'bash deploy/local/install-tools.sh' once`);
  }
  return path;
}
