import type { Page, Response } from 'playwright-core';
import { LOCAL_DEV_JWT_SECRET, signDevToken } from '@cairn/auth';
import { browserUnavailableReason, checkPage, eventually, labWith, startConsolePlatform, type ConsolePlatform } from './browser';

const unavailable = browserUnavailableReason();
if (unavailable) console.warn(`console browser tests skipped: ${unavailable}`);
const describeInBrowser = unavailable ? describe.skip : describe;

/** A picture any program may write: its script and its onload handler would each leave a mark in the page and the origin's storage. */
const BAITED_SVG =
  '<svg xmlns="http://www.w3.org/2000/svg" width="120" height="80" onload="window.__svgRan = \'onload\'; localStorage.setItem(\'svg-ran\', \'onload\')">' +
  "<script>window.__svgRan = 'script'; localStorage.setItem('svg-ran', 'script');</script>" +
  '<rect width="120" height="80" fill="#c33"/></svg>';

/** A template that writes that picture as its output: any program an admin registers runs on the runners. */
const BAITED_PICTURE_TEMPLATE = {
  name: 'Baited Picture',
  version: '1.0.0',
  description: 'Writes an SVG with a script in it.',
  parameters: { type: 'object', additionalProperties: false, properties: {} },
  inputTypes: ['txt'],
  machineTypes: ['cpu/standard'],
  command: ['node', '-e', `require('fs').writeFileSync(process.argv[1] + '/baited.svg', ${JSON.stringify(BAITED_SVG)})`, '--', '{{outputDir}}'],
  timeLimitSeconds: 60,
};

const CSP_PARTS = ["default-src 'self'", "script-src 'self'", "object-src 'none'", "frame-ancestors 'none'"];

/** What a run left in the page and in the origin: undefined and null when nothing of the SVG ran. */
const marks = (page: Page) => page.evaluate("({ global: window.__svgRan, stored: localStorage.getItem('svg-ran') })");

/**
 * The console under its Content-Security-Policy, and a job's output that is hostile: an SVG whose script
 * would run in the console's origin, were it ever a document there. It is shown through an <img> only, and
 * opening that picture in a tab of its own opens pixels; every page answers with the policy, and the
 * console works under it (no violation is reported).
 */
describeInBrowser(`a hostile SVG output and the console's security headers, in Chromium${unavailable ? ` (skipped: ${unavailable})` : ''}`, () => {
  let cairn: ConsolePlatform;
  let projectId: string;
  let jobId: string;
  let outputId: string;

  beforeAll(async () => {
    cairn = await startConsolePlatform();
    await labWith(cairn, 'security', 'Security', ['bob']);
    expect((await cairn.api('alice', 'POST', '/api/job-templates', BAITED_PICTURE_TEMPLATE)).status).toBe(201);
    const project = await cairn.api<{ id: string }>('bob', 'POST', '/api/projects', { lab: 'security', name: 'Pictures', scheme: 'facility' });
    projectId = project.body.id;
    const input = await cairn.upload('bob', projectId, 'raw/notes.txt', Buffer.from('any input\n'));
    const run = await cairn.api<{ id: string }>('bob', 'POST', `/api/projects/${projectId}/jobs`, {
      template: 'Baited Picture@1.0.0',
      inputs: [input],
      parameters: {},
      machine: { type: 'cpu', performance: 'standard' },
    });
    expect(run.status).toBe(201);
    jobId = run.body.id;
    await eventually('the job to succeed', async () => (await cairn.api<{ status: string }>('bob', 'GET', `/api/jobs/${jobId}`)).body.status === 'succeeded', 60_000);
    const job = await cairn.api<{ outputs: { fileId: string; path: string }[] }>('bob', 'GET', `/api/jobs/${jobId}`);
    outputId = job.body.outputs.find((output) => output.path.endsWith('baited.svg'))!.fileId;
  }, 180_000);
  afterAll(() => cairn?.stop(), 60_000);

  it("the preview and the opened picture run none of the SVG's script; every page carries the policy and breaks none of it", async () => {
    const bob = await cairn.signIn('bob');
    const documents: Response[] = [];
    const violations: string[] = [];
    const watch = (page: Page) => {
      page.on('response', (response) => void (response.request().resourceType() === 'document' && documents.push(response)));
      page.on('console', (message) => void (/Content.Security.Policy|Refused to/i.test(message.text()) && violations.push(message.text())));
    };
    watch(bob);

    for (const path of ['/labs', '/labs/security/projects', '/labs/security/projects/pictures', '/labs/security/projects/pictures/files?folder=raw', '/jobs']) {
      await bob.goto(path);
      await bob.getByRole('heading', { level: 1 }).first().waitFor();
    }
    await bob.goto(`/jobs/${jobId}`);
    const preview = bob.getByRole('img', { name: 'baited.svg, an output of this job' });
    await preview.waitFor();
    await bob.waitForFunction("Array.from(document.images).some((image) => image.classList.contains('output-picture') && image.complete && image.naturalWidth > 0)");
    expect(await marks(bob)).toEqual({ global: undefined, stored: null });
    expect(await checkPage(bob, 'job-with-picture')).toEqual([]);

    // "Open image in new tab": what opens is the picture's pixels, not the SVG as a document of this origin.
    const source = (await preview.getAttribute('src'))!;
    const opened = await bob.context().newPage();
    watch(opened);
    await opened.goto(source);
    expect(await marks(opened)).toEqual({ global: undefined, stored: null });
    expect(await marks(bob)).toEqual({ global: undefined, stored: null });
    expect(await opened.evaluate('document.contentType')).toBe('image/png');

    expect(documents.length).toBeGreaterThanOrEqual(6);
    for (const response of documents.filter((document) => document.url().startsWith(cairn.platform.edgeUrl))) {
      const headers = response.headers();
      expect({ url: response.url(), csp: CSP_PARTS.every((part) => headers['content-security-policy']?.includes(part)) }).toEqual({ url: response.url(), csp: true });
      expect(headers['content-security-policy']).not.toContain('unsafe-inline');
      expect(headers['x-content-type-options']).toBe('nosniff');
      expect(headers['referrer-policy']).toBe('no-referrer');
    }
    expect(violations).toEqual([]);
  }, 120_000);

  it('the file itself, fetched from the API, is an attachment that no browser would run as a page', async () => {
    const token = await signDevToken({ username: 'bob' }, LOCAL_DEV_JWT_SECRET);
    const response = await fetch(`${cairn.platform.edgeUrl}/api/projects/${projectId}/files/${outputId}/content`, { headers: { authorization: `Bearer ${token}` } });

    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('application/octet-stream');
    expect(response.headers.get('content-disposition')).toMatch(/^attachment; filename="baited.svg"/);
    expect(response.headers.get('content-security-policy')).toMatch(/sandbox/);
    expect(response.headers.get('x-content-type-options')).toBe('nosniff');
    expect(await response.text()).toBe(BAITED_SVG);
  });
});
