import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

/**
 * docs/configuration.md (with the runner's tables in docs/runner.md) is the one list of settings: every
 * variable the code reads from the environment is in it, and every variable in it is one the code knows.
 */
const REPO = resolve(__dirname, '..', '..');
const SETTING = /\b(?:CAIRN|NATS|MONGO|OTEL)_[A-Z0-9_]*[A-Z0-9]\b/g;
/** Slurm's own variables, which the runner hands to the Slurm clients by prefix. */
const SLURMS_OWN = /^(SBATCH|SLURM)_/;
/** The MongoDB image's own variables, which compose sets for it. */
const IMAGES_OWN = /^MONGO_INITDB_/;

const files = execFileSync('git', ['ls-files', 'services', 'libs', 'deploy'], { cwd: REPO, encoding: 'utf8' })
  .split('\n')
  .filter((file) => /\.(ts|sh)$/.test(file) && !/\.test\.tsx?$|test-support\/|^libs\/testing\/|^services\/console\//.test(file))
  .map((file) => ({ file, text: readFileSync(join(REPO, file), 'utf8') }));

/**
 * Names the code reads from the environment: on TypeScript lines that read it (`env.X`, `env['X']`,
 * `process.env`, `integer(env, 'X')`), and in scripts as `${X:-default}` (their other variables are their own).
 */
const readFromEnvironment = new Set(
  files.flatMap(({ file, text }) =>
    file.endsWith('.sh')
      ? [...text.matchAll(/\$\{([A-Z][A-Z0-9_]*):?-/g)].map((match) => match[1]).filter((name) => new RegExp(SETTING.source).test(name))
      : text.split('\n').filter((line) => /\benv\b|process\.env/.test(line)).flatMap((line) => line.match(SETTING) ?? []),
  ),
);
const mentionedInCode = new Set(files.flatMap(({ text }) => text.match(SETTING) ?? []));

const documented = new Set(
  ['configuration.md', 'runner.md'].flatMap((doc) =>
    readFileSync(join(REPO, 'docs', doc), 'utf8')
      .split('\n')
      .filter((line) => line.startsWith('| `'))
      .flatMap((line) => [...line.split('|')[1].matchAll(/`([A-Z][A-Z0-9_]*)`/g)].map((match) => match[1])),
  ),
);

describe('docs/configuration.md against the code', () => {
  it('documents every setting the code reads from the environment', () => {
    const undocumented = [...readFromEnvironment].filter((name) => !documented.has(name) && !documented.has(name.replace(/_FILE$/, '')) && !IMAGES_OWN.test(name));
    expect(undocumented.sort()).toEqual([]);
  });

  it('documents no setting the code does not know (a NAME_FILE variant reads NAME from a mounted file)', () => {
    const unknown = [...documented].filter(
      (name) => !mentionedInCode.has(name) && !mentionedInCode.has(name.replace(/_FILE$/, '')) && !SLURMS_OWN.test(name) && /^(CAIRN|NATS|MONGO|OTEL)_/.test(name),
    );
    expect(unknown.sort()).toEqual([]);
  });
});
