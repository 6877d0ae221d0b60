// Resolves the workspace's @cairn/* aliases to the compiled output in dist/ (node -r ./deploy/local/register.js).
const path = require('node:path');
const { compilerOptions } = require('../../tsconfig.base.json');
const tsconfigPaths = require('tsconfig-paths');

const dist = path.resolve(__dirname, '../../dist');
const paths = Object.fromEntries(
  Object.entries(compilerOptions.paths).map(([alias, targets]) => [alias, targets.map((t) => t.replace(/\.ts$/, '.js'))]),
);
tsconfigPaths.register({ baseUrl: dist, paths });
