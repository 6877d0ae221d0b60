import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';

/**
 * The repository stands on its own: every citation in code, tests and documents points at a file and a
 * place in it that exist here, so a newcomer can follow every reference.
 */
const REPO = resolve(__dirname, '..', '..');
const TEXT_FILE = /\.(ts|tsx|js|mjs|cjs|md|sh|ya?ml|json|conf|Dockerfile)$|Dockerfile$/;

const files = execFileSync('git', ['ls-files'], { cwd: REPO, encoding: 'utf8' })
  .split('\n')
  .filter((file) => TEXT_FILE.test(file) && !file.startsWith('services/console/src/api/generated/') && file !== 'package-lock.json')
  .filter((file) => existsSync(join(REPO, file)))
  .map((file) => ({ file, text: readFileSync(join(REPO, file), 'utf8') }));

/** GitHub's anchor of a heading: lower case, punctuation dropped, spaces as hyphens. */
function anchorOf(heading: string): string {
  return heading
    .trim()
    .toLowerCase()
    .replace(/[^\p{L}\p{N}\s_-]/gu, '')
    .replace(/\s/g, '-');
}

function anchorsIn(markdown: string): Set<string> {
  const anchors = new Set<string>();
  const seen = new Map<string, number>();
  let fenced = false;
  for (const line of markdown.split('\n')) {
    if (line.startsWith('```')) fenced = !fenced;
    const heading = !fenced && /^#{1,6}\s+(.*)$/.exec(line);
    if (!heading) continue;
    const anchor = anchorOf(heading[1]);
    const count = seen.get(anchor) ?? 0;
    seen.set(anchor, count + 1);
    anchors.add(count === 0 ? anchor : `${anchor}-${count}`);
  }
  return anchors;
}

function lineOf(text: string, index: number): number {
  return text.slice(0, index).split('\n').length;
}

const docs = (name: string) => readFileSync(join(REPO, 'docs', name), 'utf8');

describe('citations point into the repository', () => {
  it('cite no document that lives outside it (the design, contract and guides it started from)', () => {
    const outside = /\b(?:DESIGN\.md|API\.md)\b|\.\.\/shared\b|seeds\/[\w-]+\.txt/g;
    const found = files.flatMap(({ file, text }) =>
      [...text.matchAll(outside)].map((match) => `${file}:${lineOf(text, match.index ?? 0)}: ${match[0]}`),
    );
    expect(found).toEqual([]);
  });

  it('link, in every Markdown file, only to files and headings that exist', () => {
    const broken: string[] = [];
    for (const { file, text } of files.filter(({ file }) => file.endsWith('.md'))) {
      for (const match of text.matchAll(/\]\(([^)\s]+)\)/g)) {
        const target = match[1];
        if (/^[a-z]+:/i.test(target)) continue;
        const [path, anchor] = target.split('#');
        const targetFile = path === '' ? join(REPO, file) : resolve(dirname(join(REPO, file)), path);
        const where = `${file}:${lineOf(text, match.index ?? 0)}: ${target}`;
        if (!existsSync(targetFile)) broken.push(`${where} (no such file)`);
        else if (anchor && targetFile.endsWith('.md') && !anchorsIn(readFileSync(targetFile, 'utf8')).has(anchor)) broken.push(`${where} (no such heading)`);
      }
    }
    expect(broken).toEqual([]);
  });

  it('cite sections of docs/architecture.md that exist ("architecture.md §3")', () => {
    const sections = new Set([...docs('architecture.md').matchAll(/^## (\d+)\./gm)].map((match) => match[1]));
    const missing = files.flatMap(({ file, text }) =>
      [...text.matchAll(/architecture\.md §(\d+)/g)]
        .filter((match) => !sections.has(match[1]))
        .map((match) => `${file}:${lineOf(text, match.index ?? 0)}: §${match[1]}`),
    );
    expect(missing).toEqual([]);
  });

  it('cite requirements of docs/requirements.md that exist ("requirements.md F-12", "F-14 to F-22")', () => {
    const requirements = new Set([...docs('requirements.md').matchAll(/^- \*\*([FLP]-\d+)\*\*/gm)].map((match) => match[1]));
    const missing = files.flatMap(({ file, text }) =>
      [...text.matchAll(/requirements\.md ((?:[FLP]-\d+(?:,\s*|\s+to\s+)?)+)/g)].flatMap((match) =>
        match[1]
          .split(/,\s*|\s+to\s+/)
          .filter((id) => id && !requirements.has(id))
          .map((id) => `${file}:${lineOf(text, match.index ?? 0)}: ${id}`),
      ),
    );
    expect(missing).toEqual([]);
  });

  it('number the requirements once each', () => {
    const ids = [...docs('requirements.md').matchAll(/^- \*\*([FLP]-\d+)\*\*/gm)].map((match) => match[1]);
    expect(ids.length).toBeGreaterThan(60);
    expect(ids.filter((id, index) => ids.indexOf(id) !== index)).toEqual([]);
  });

  it('lists in docs/api.md every route the services document in their OpenAPI', () => {
    const api = docs('api.md');
    const generated = join(REPO, 'services', 'console', 'src', 'api', 'generated');
    const undocumented = ['access', 'projects', 'jobs', 'logbook'].flatMap((service) => {
      const client = readFileSync(join(generated, `${service}.ts`), 'utf8');
      return [...client.matchAll(/^ {4}"(\/api[^"]*)": \{/gm)]
        .map((match) => match[1].replace(/\{(\w+)\}/g, ':$1'))
        .filter((route) => !api.includes(`${route}\``) && !api.includes(`${route}?`) && !api.includes(`${route} `))
        .map((route) => `${service}: ${route}`);
    });
    expect(undocumented).toEqual([]);
  });
});
