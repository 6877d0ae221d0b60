import { createHash } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LOCAL_DEV_JWT_SECRET, signDevToken } from '@cairn/auth';
import { startPlatform, type RunningPlatform } from '@cairn/local-platform';
import { demoTemplates } from '@cairn/testing';
import sharp from 'sharp';
import { CPU, openJobsSession, probeTemplate, type JobsSession } from './jobs-session';
import { requireBuild } from './local-platform';

const FRAMES_CSV = 'frame,mean\n1,0.31\n2,0.35\n3,0.29\n';

/** A grey ramp of `pages` pages, `width`×`height`, each page brighter than the one before. */
function rampPixels(width: number, height: number, pages: number): Buffer {
  const pixels = Buffer.alloc(width * height * pages);
  for (let i = 0; i < pixels.length; i++) pixels[i] = (i % width) + Math.floor(i / (width * height)) * 60;
  return pixels;
}

/** A multi-page TIFF made by sharp: pages stacked in one tall image, cut by `pageHeight`. */
const multiPageTiff = (width: number, height: number, pages: number) =>
  sharp(rampPixels(width, height, pages), { raw: { width, height: height * pages, channels: 1, pageHeight: height } }).toColourspace('b-w').tiff().toBuffer();

/** 16-bit grey PNGs, as a job writes them. */
const sixteenBitPng = (width: number, height: number, level: number) => {
  // A Uint16Array tells sharp the samples are 16-bit.
  const pixels = Uint16Array.from({ length: width * height }, (_, i) => level + i);
  return sharp(pixels, { raw: { width, height, channels: 1 } }).toColourspace('grey16').png().toBuffer();
};

/**
 * Issue #23 part 1, "experiments hold files", end to end with the reference runner: an upload into an
 * experiment through a project that links it, seen exactly by those who see the experiment, an input of
 * jobs in every project that links it (and no longer once unlinked), deleted through the four-eyes
 * requests of the project it came through. Needs the build (`npx tsc -p tsconfig.build.json`).
 */
describe('experiments hold files', () => {
  let platform: RunningPlatform;
  let session: JobsSession;
  let carol: string, bob: string, erin: string;
  let project: string, labProject: string, experiment: string, file: string;
  const as = (token: string) => session.as(token);

  beforeAll(async () => {
    requireBuild();
    platform = await startPlatform({ homeDir: mkdtempSync(join(tmpdir(), 'cairn-e2e-experiment-files-')), edgePort: 0, env: { CAIRN_AUTH_MODE: 'dev', CAIRN_DEV_JWT_SECRET: LOCAL_DEV_JWT_SECRET } });
    const pngs = { 'frame-1.png': (await sixteenBitPng(20, 10, 1000)).toString('base64'), 'frame-2.png': (await sixteenBitPng(20, 10, 9000)).toString('base64') };
    // A job whose outputs are two 16-bit images.
    const writesFrames = probeTemplate('Write Frames', [
      'node',
      '-e',
      `for (const [name, png] of Object.entries(${JSON.stringify(pngs)})) require('fs').writeFileSync(require('path').join(process.argv[1], name), Buffer.from(png, 'base64'))`,
      '{{outputDir}}',
    ]);
    session = await openJobsSession(platform, [...demoTemplates(), writesFrames]);
    ({ carol, bob, project } = session);
    erin = await signDevToken({ username: 'erin', email: 'erin@example.org', name: 'Erin' }, LOCAL_DEV_JWT_SECRET);
    await as(erin).get('/api/users?lab=none');
    experiment = (await as(carol).post('/api/labs/facility/experiments', { name: 'Grid 7 frames' }).expect(201)).body.id;
    await as(carol).post(`/api/projects/${project}/experiments`, { experimentIds: [experiment], confirmWidening: true }).expect(200);
    // A lab-scheme project of the same lab, Carol's alone: Bob cannot read it.
    labProject = (await as(carol).post('/api/projects', { lab: 'facility', name: 'Private frames', scheme: 'lab' }).expect(201)).body.id;
  }, 180_000);
  afterAll(() => platform?.stop(), 60_000);

  it('a member uploads into a linked dataset with the project files\' multipart route, size and sha256', async () => {
    const uploaded = await as(bob).upload(`/api/projects/${project}/experiments/${experiment}/files`, 'frames/means.csv', FRAMES_CSV).expect(201);
    file = uploaded.body.id;
    expect(uploaded.body).toMatchObject({
      experimentId: experiment,
      uploadedThrough: project,
      path: 'frames/means.csv',
      kind: 'raw',
      size: Buffer.byteLength(FRAMES_CSV),
      sha256: createHash('sha256').update(FRAMES_CSV).digest('hex'),
    });
    const listed = (await as(bob).get(`/api/experiments/${experiment}/files`).expect(200)).body.items;
    expect(listed).toEqual([uploaded.body]);
    const content = await as(bob).get(`/api/experiments/${experiment}/files/${file}/content`).expect(200);
    expect(content.body.toString()).toBe(FRAMES_CSV);
    // Not a file of the project's own file space.
    expect((await as(bob).get(`/api/projects/${project}/files?folder=frames`).expect(200)).body.items).toEqual([]);
    // An experiment the project does not link is not there to upload into.
    const other = (await as(carol).post('/api/labs/facility/experiments', { name: 'Unlinked' }).expect(201)).body.id;
    await as(bob).upload(`/api/projects/${project}/experiments/${other}/files`, 'a.csv', 'x').expect(404);
  });

  it('is seen exactly by those who see the experiment: to anyone else it is missing, on every route', async () => {
    const missing = '01900000-0000-7000-8000-0ddba11c0ffe';
    for (const path of [`/api/experiments/${experiment}`, `/api/experiments/${experiment}/files`, `/api/experiments/${experiment}/files/${file}/content`]) {
      const unseen = await as(erin).get(path);
      const absent = await as(erin).get(path.replace(experiment, missing));
      expect({ path, status: unseen.status, rule: unseen.body.rule }).toEqual({ path, status: 404, rule: absent.body.rule });
    }
    expect((await as(bob).get(`/api/experiments/${experiment}`).expect(200)).body).toMatchObject({ id: experiment, projects: [project] });
  });

  it('is an input of jobs in every project that links the experiment, and no longer in one that removed it', async () => {
    const run = (token: string, projectId: string) => as(token).post(`/api/projects/${projectId}/jobs`, { template: 'File Statistics', inputs: [file], parameters: { bins: 4 }, machine: CPU });
    const jobId = (await run(bob, project).expect(201)).body.id;
    const done = await session.ended(jobId, 60_000);
    expect(done).toMatchObject({ status: 'succeeded', inputs: [{ fileId: file, path: 'frames/means.csv' }] });

    // Not linked into the lab project yet: not its file.
    expect((await run(carol, labProject).expect(400)).body.rule).toBe('jobs.input-not-in-project');
    await as(carol).post(`/api/projects/${labProject}/experiments`, { experimentIds: [experiment], confirmWidening: true }).expect(200);
    await run(carol, labProject).expect(201);
    await as(carol).delete(`/api/projects/${labProject}/experiments`, { experimentIds: [experiment], confirmWidening: true }).expect(200);
    expect((await run(carol, labProject).expect(400)).body.rule).toBe('jobs.input-not-in-project');
    // Removing it from a project deletes nothing.
    expect((await as(bob).get(`/api/experiments/${experiment}/files`).expect(200)).body.items.map((item: { id: string }) => item.id)).toEqual([file]);
  }, 120_000);

  it('deleting it is a four-eyes request for raw data, decided by the rights of the facility project it came through', async () => {
    const ask = (token: string) => as(token).post(`/api/projects/${project}/deletion-requests`, { fileIds: [file], reason: 'blurred frames' });
    expect((await ask(bob).expect(403)).body.rule).toBe('requires.deletion.request.raw');
    await as(carol).put(`/api/projects/${project}/access/users/bob`, { role: 'manager' }).expect(200);
    const requestId = (await ask(bob).expect(201)).body.id;
    await as(carol).post(`/api/deletion-requests/${requestId}/approve`).expect(200);
    expect((await as(bob).get(`/api/experiments/${experiment}/files`).expect(200)).body.items).toEqual([]);
    await as(bob).get(`/api/experiments/${experiment}/files/${file}/content`).expect(404);
  });

  describe('stacks: "an ordered set of image frames in an experiment"', () => {
    let stack: string;
    const image = (response: { body: Buffer }) => sharp(response.body).metadata();

    it('Experimenter "making stacks and uploads": a stack from a multi-page TIFF records its frames, size and pixel type', async () => {
      const tiff = await multiPageTiff(40, 30, 3);
      const uploaded = await as(bob).upload(`/api/projects/${project}/experiments/${experiment}/files`, 'series/focus.tif', tiff).expect(201);
      const made = await as(bob).post(`/api/experiments/${experiment}/stacks`, { name: 'Focus series', fileIds: [uploaded.body.id] }).expect(201);
      stack = made.body.id;
      expect(made.body).toMatchObject({ experimentId: experiment, name: 'Focus series', frameCount: 3, width: 40, height: 30, pixelType: 'uint8', channels: 1 });
      expect(made.body.frames).toEqual([0, 1, 2].map((page) => ({ fileId: uploaded.body.id, page })));
      expect((await as(bob).get(`/api/experiments/${experiment}/stacks`).expect(200)).body.items).toEqual([made.body]);
    });

    it('its thumbnail and each frame\'s preview are PNGs made once and kept', async () => {
      const thumbnail = await as(bob).get(`/api/experiments/${experiment}/stacks/${stack}/thumbnail`).expect(200).expect('content-type', 'image/png');
      expect(await image(thumbnail)).toMatchObject({ format: 'png', width: 40, height: 30 });
      const preview = await as(bob).get(`/api/experiments/${experiment}/stacks/${stack}/frames/2/preview`).expect(200);
      expect(await image(preview)).toMatchObject({ format: 'png', width: 40, height: 30 });
      const again = await as(bob).get(`/api/experiments/${experiment}/stacks/${stack}/frames/2/preview`).expect(200);
      expect(Buffer.compare(again.body, preview.body)).toBe(0);
      await as(bob).get(`/api/experiments/${experiment}/stacks/${stack}/frames/3/preview`).expect(404);
      await as(erin).get(`/api/experiments/${experiment}/stacks/${stack}/frames/2/preview`).expect(404);
    });

    it("a stack from a job's image outputs, 16-bit, in frame order by path", async () => {
      const jobId = await session.run(bob, { template: 'Write Frames' });
      expect(await session.ended(jobId, 60_000)).toMatchObject({ status: 'succeeded' });
      const made = await as(bob).post(`/api/experiments/${experiment}/stacks`, { name: 'Job frames', jobId }).expect(201);
      expect(made.body).toMatchObject({ frameCount: 2, width: 20, height: 10, pixelType: 'uint16', channels: 1, jobId });
      const preview = await as(bob).get(`/api/experiments/${experiment}/stacks/${made.body.id}/frames/1/preview`).expect(200);
      expect(await image(preview)).toMatchObject({ format: 'png', depth: 'uchar', width: 20, height: 10 });
    }, 90_000);

    it('a member renames and deletes a stack; to someone who cannot see the experiment it is missing', async () => {
      const path = `/api/experiments/${experiment}/stacks/${stack}`;
      expect((await as(erin).patch(path, { name: 'Mine now' }).expect(404)).body.rule).toBe('experiments.not-found');
      expect((await as(bob).patch(path, { name: 'Focus series, grid 7' }).expect(200)).body).toMatchObject({ id: stack, name: 'Focus series, grid 7', frameCount: 3 });
      await as(erin).delete(path).expect(404);
      expect((await as(bob).delete(path).expect(200)).body).toEqual({ deleted: stack });
      await as(bob).get(path).expect(404);
      expect((await as(bob).get(`/api/experiments/${experiment}/stacks`).expect(200)).body.items.map((item: { id: string }) => item.id)).not.toContain(stack);
    });
  });
});
