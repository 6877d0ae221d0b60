// One Jest run for the whole workspace. Kinds are separate projects so `--selectProjects unit` needs no
// servers; int and e2e tests share the servers that the global setup starts once per run.
const { pathsToModuleNameMapper } = require('ts-jest');
const { compilerOptions } = require('./tsconfig.base.json');

const shared = {
  testEnvironment: 'node',
  transform: { '^.+\\.ts$': ['ts-jest', { tsconfig: 'tsconfig.json' }] },
  moduleNameMapper: pathsToModuleNameMapper(compilerOptions.paths, { prefix: '<rootDir>/' }),
  rootDir: __dirname,
  roots: ['<rootDir>/libs', '<rootDir>/services', '<rootDir>/test'],
};

// The console's component tests: Preact in jsdom. Preact ships ES modules only, so those are compiled
// to CommonJS like the tests; type checking is tsc's job (npm run typecheck), here it is transpile-only.
const consoleCompilerOptions = {
  jsx: 'react-jsx',
  jsxImportSource: 'preact',
  module: 'commonjs',
  moduleResolution: 'node',
  target: 'ES2022',
  esModuleInterop: true,
  allowJs: true,
  isolatedModules: true,
};
const component = {
  ...shared,
  displayName: 'component',
  testMatch: ['<rootDir>/services/console/**/*.unit.test.tsx'],
  testEnvironment: '<rootDir>/services/console/test-support/jsdom-environment.js',
  transform: { '^.+\\.(tsx?|m?js)$': ['ts-jest', { tsconfig: consoleCompilerOptions }] },
  transformIgnorePatterns: ['/node_modules/(?!(preact|@testing-library/preact)/)'],
};

module.exports = {
  // testTimeout is global in Jest 30 (ignored inside projects): real servers need more than the 5 s default.
  testTimeout: 60000,
  globalSetup: '<rootDir>/libs/testing/src/jest/global-setup.ts',
  globalTeardown: '<rootDir>/libs/testing/src/jest/global-teardown.ts',
  projects: [
    { ...shared, displayName: 'unit', testMatch: ['**/*.unit.test.ts'] },
    component,
    { ...shared, displayName: 'int', testMatch: ['**/*.int.test.ts'] },
    { ...shared, displayName: 'e2e', testMatch: ['**/*.e2e.test.ts'] },
  ],
};
