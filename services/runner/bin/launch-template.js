// Starts a demo template's program: the compiled TypeScript in dist/, or with CAIRN_TEMPLATES_FROM_SOURCE=1
// (the runner's own tests, which run from source) the source through ts-node. The runner puts this folder
// and its own node first on the command's PATH, so `#!/usr/bin/env node` is the runner's node.
const { existsSync } = require('node:fs');
const { join, resolve } = require('node:path');

module.exports = function launchTemplate(program) {
  const repo = resolve(__dirname, '../../..');
  if (process.env.CAIRN_TEMPLATES_FROM_SOURCE === '1') {
    require('ts-node').register({ transpileOnly: true, project: join(repo, 'tsconfig.json') });
    require(join(repo, 'services/runner/src/templates', program, 'main.ts'));
    return;
  }
  const compiled = join(repo, 'dist/services/runner/src/templates', program, 'main.js');
  if (!existsSync(compiled)) {
    process.stderr.write(`${compiled} is missing: build the project first (npx tsc -p tsconfig.build.json)\n`);
    process.exit(127);
  }
  require(compiled);
};
