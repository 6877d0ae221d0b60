import { existsSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { source as axeSource } from 'axe-core';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { LOCAL_DEV_JWT_SECRET, signDevToken } from '@cairn/auth';
import { startPlatform, type RunningPlatform } from '@cairn/local-platform';

/**
 * The console in a real browser: Debian's Chromium (installed by the test command, never downloaded)
 * driven by playwright-core, against the platform as `npm start` runs it. People sign in through the
 * console's own dev sign-in, each in a browser context of their own.
 */

export const CHROMIUM = '/usr/bin/chromium';
const FLAGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync'];
const REPO = join(__dirname, '../..');
export const SCREENSHOTS = join(REPO, 'test-results/console');

/** Why the browser tests cannot run here, or undefined when they can. */
export function browserUnavailableReason(): string | undefined {
  if (!existsSync(CHROMIUM)) return `${CHROMIUM} is missing (the test command installs Debian's chromium where it can: apt-get as root)`;
  return undefined;
}

export interface ConsolePlatform {
  platform: RunningPlatform;
  browser: Browser;
  /** A person signed in through the console, in their own browser context. */
  signIn(username: string): Promise<Page>;
  /** Uploads a file into the project as someone (multipart), answering the file's id. */
  upload(username: string, projectId: string, path: string, content: Buffer): Promise<string>;
  /** Calls the API as someone (for a story's setup, which the guides do not tell through pages). */
  api<T = Record<string, unknown>>(username: string, method: string, path: string, body?: unknown): Promise<{ status: number; body: T }>;
  stop(): Promise<void>;
}

const DEMO: Record<string, { name: string; admin?: boolean }> = {
  alice: { name: 'Alice Admin', admin: true },
  bob: { name: 'Bob Brown' },
  carol: { name: 'Carol Chen' },
  dave: { name: 'Dave Diaz' },
  erin: { name: 'Erin Evans' },
};

export async function startConsolePlatform(): Promise<ConsolePlatform> {
  for (const built of ['dist/services/access/src/main.js', 'dist/console/index.html']) {
    if (!existsSync(join(REPO, built))) throw new Error(`${built} is missing: run \`npm run build\` (npm test does) before the browser tests`);
  }
  const platform = await startPlatform({
    homeDir: mkdtempSync(join(tmpdir(), 'cairn-console-')),
    edgePort: 0,
    env: { CAIRN_AUTH_MODE: 'dev', CAIRN_DEV_JWT_SECRET: LOCAL_DEV_JWT_SECRET },
  });
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: FLAGS, headless: true }).catch(async (error: Error) => {
    await platform.stop();
    throw error;
  });
  const contexts: BrowserContext[] = [];
  let position = 0;
  const tokenOf = (username: string) => {
    const person = DEMO[username] ?? { name: username };
    return signDevToken({ username, name: person.name, email: `${username}@example.org`, admin: person.admin ?? false }, LOCAL_DEV_JWT_SECRET);
  };
  const api = async <T,>(username: string, method: string, path: string, body?: unknown): Promise<{ status: number; body: T }> => {
    const token = await tokenOf(username);
    const response = await fetch(`${platform.edgeUrl}${path}`, {
      method,
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', 'cairn-min-position': String(position) },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const seen = Number(response.headers.get('cairn-position'));
    if (Number.isSafeInteger(seen)) position = Math.max(position, seen);
    const text = await response.text();
    return { status: response.status, body: text ? JSON.parse(text) : undefined };
  };
  const upload = async (username: string, projectId: string, path: string, content: Buffer) => {
    const form = new FormData();
    form.append('path', path);
    form.append('file', new Blob([content]), path.split('/').pop());
    const response = await fetch(`${platform.edgeUrl}/api/projects/${projectId}/files`, { method: 'POST', headers: { authorization: `Bearer ${await tokenOf(username)}` }, body: form });
    const body = (await response.json()) as { id: string };
    if (response.status !== 201) throw new Error(`upload ${path}: ${response.status} ${JSON.stringify(body)}`);
    const seen = Number(response.headers.get('cairn-position'));
    if (Number.isSafeInteger(seen)) position = Math.max(position, seen);
    return body.id;
  };
  return {
    platform,
    browser,
    api,
    upload,
    async signIn(username) {
      // One time zone for every run, so the as-of picker's local times are the test's.
      const context = await browser.newContext({ baseURL: platform.edgeUrl, viewport: { width: 1280, height: 900 }, timezoneId: 'UTC', locale: 'en-GB' });
      contexts.push(context);
      const page = await context.newPage();
      await page.goto(`/sign-in?as=${username}`);
      await page.waitForURL('**/labs');
      return page;
    },
    async stop() {
      for (const context of contexts) await context.close().catch(() => undefined);
      await browser.close().catch(() => undefined);
      await platform.stop();
    },
  };
}

/** A lab the facility admin creates, with members who have signed in once (through the API). */
export async function labWith(console: ConsolePlatform, slug: string, name: string, members: string[]): Promise<void> {
  for (const member of members) await console.api(member, 'GET', '/api/labs');
  const created = await console.api('alice', 'POST', '/api/labs', { name, slug });
  if (created.status !== 201) throw new Error(`lab ${slug}: ${created.status} ${JSON.stringify(created.body)}`);
  for (const member of members) {
    const added = await console.api('alice', 'POST', `/api/labs/${slug}/members`, { user: member });
    if (added.status !== 201) throw new Error(`member ${member}: ${added.status} ${JSON.stringify(added.body)}`);
  }
}

/** Waits until `check` answers true (polling the API in a story's setup), or fails naming `what`. */
export async function eventually(what: string, check: () => Promise<boolean>, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`${what} did not happen within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

export interface AxeViolation {
  id: string;
  impact: string;
  help: string;
  nodes: string[];
}


/**
 * Every page is looked at twice: a screenshot (test-results/console/<name>.png) and axe-core's WCAG 2
 * A/AA rules; the serious and critical violations are answered (the caller expects none). Results
 * go to test-results/console/<name>.axe.json.
 */
export async function checkPage(page: Page, name: string): Promise<AxeViolation[]> {
  mkdirSync(SCREENSHOTS, { recursive: true });
  await page.screenshot({ path: join(SCREENSHOTS, `${name}.png`), fullPage: true });
  // Evaluated, not added as an inline <script>: the console's Content-Security-Policy refuses those.
  await page.evaluate(axeSource);
  // Evaluated in the page (a string: this file is compiled without the DOM's types).
  const results = (await page.evaluate(`(async () => {
    const run = await window.axe.run(document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice'] } });
    return {
      passes: run.passes.length,
      violations: run.violations.map((violation) => ({
        id: violation.id,
        impact: violation.impact || 'unknown',
        help: violation.help,
        nodes: violation.nodes.map((node) => node.target.join(' ')),
      })),
    };
  })()`)) as { passes: number; violations: AxeViolation[] };
  // One file per page: browser test files run in parallel workers.
  writeFileSync(join(SCREENSHOTS, `${name}.axe.json`), JSON.stringify(results, null, 2));
  return results.violations.filter((violation) => violation.impact === 'serious' || violation.impact === 'critical');
}

/**
 * Keyboard use: Tab from the top of the page until `target` has the focus (it must be reachable
 * without a mouse), then the caller presses Enter or Space on it.
 */
export async function tabTo(page: Page, accessibleName: RegExp, maxTabs = 80): Promise<void> {
  await page.evaluate('document.activeElement && document.activeElement.blur()');
  for (let tab = 0; tab < maxTabs; tab += 1) {
    await page.keyboard.press('Tab');
    const name = (await page.evaluate(`(() => {
      const element = document.activeElement;
      if (!element) return '';
      const label = element.id ? document.querySelector('label[for="' + element.id + '"]') : null;
      return (element.getAttribute('aria-label') || (label && label.textContent) || element.textContent || '').trim();
    })()`)) as string;
    if (accessibleName.test(name)) return;
  }
  throw new Error(`${accessibleName} is not reachable with Tab within ${maxTabs} presses`);
}
