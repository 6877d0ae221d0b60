const nx = require('@nx/eslint-plugin');

// A service never imports another service; libs never import services. Tests may use the harness.
const depConstraints = [
  { sourceTag: 'type:service', onlyDependOnLibsWithTags: ['type:lib', 'type:testing'] },
  { sourceTag: 'type:lib', onlyDependOnLibsWithTags: ['type:lib', 'type:testing'] },
  { sourceTag: 'type:testing', onlyDependOnLibsWithTags: ['type:lib'] },
  { sourceTag: 'type:e2e', onlyDependOnLibsWithTags: ['type:lib', 'type:testing', 'type:service', 'type:tooling', 'type:console'] },
  { sourceTag: 'type:tooling', onlyDependOnLibsWithTags: ['type:lib', 'type:testing'] },
  // The console talks to the platform over HTTP only, through its generated client: it imports no service.
  // Of the libraries it takes only pure rules the platform applies too (the slug rule, for its preview).
  { sourceTag: 'type:console', onlyDependOnLibsWithTags: ['type:lib'] },
];

// The harness's projectionSpec applies read-models' write intents, and read-models' own int tests run on
// the harness's servers: a cycle through test files only, which orders no build (none is buildable).
// Likewise the harness runs nats-server with messaging's NATS identities, and messaging's int tests run on it.
const ignoredCircularDependencies = [['testing', 'read-models'], ['testing', 'messaging']];

module.exports = [
  ...nx.configs['flat/base'],
  ...nx.configs['flat/typescript'],
  { ignores: ['**/node_modules', '**/dist', '**/.nx', 'coverage', '.cairn'] },
  {
    files: ['**/*.ts', '**/*.tsx'],
    rules: {
      '@nx/enforce-module-boundaries': ['error', { enforceBuildableLibDependency: false, allow: [], depConstraints, ignoredCircularDependencies }],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      // Strict null checks stay on; a `!` marks an invariant the code just established (a validated DTO, a
      // row written a line earlier), which is clearer than a re-check that cannot fail.
      '@typescript-eslint/no-non-null-assertion': 'off',
    },
  },
  {
    // Platform tests and benchmarks drive whole services through their public entries; nothing else may.
    files: ['test/**/*.ts'],
    rules: {
      '@nx/enforce-module-boundaries': [
        'error',
        {
          enforceBuildableLibDependency: false,
          allow: ['@cairn/access-service', '@cairn/projects-service', '@cairn/jobs-service', '@cairn/logbook-service', '@cairn/runner', '@cairn/console/event-stream'],
          depConstraints,
          ignoredCircularDependencies,
        },
      ],
    },
  },
];
