import { LOCAL_DEV_JWT_SECRET, signDevToken } from '@cairn/auth';
import type { RunningPlatform } from '@cairn/local-platform';
import sharp from 'sharp';
import { openJobsSession, type JobsSession } from './jobs-session';
import { startLocalPlatform } from './local-platform';

/** A grey PNG of 40×30: one frame. */
const frame = (level: number) => sharp({ create: { width: 40, height: 30, channels: 3, background: { r: level, g: level, b: level } } }).png().toBuffer();

/**
 * Issue #23 part 3, end to end: commenters and above annotate a frame of a stack (lab guide, L-19), a
 * viewer sees the annotations and is refused (403), someone who cannot see the experiment finds nothing
 * (404); edits keep their history, and the annotation is in the activity of the project it was written
 * through. Needs the build (`npx tsc -p tsconfig.build.json`).
 */
describe('stack annotations: "Commenters and above annotate a frame of a stack; viewers see annotations"', () => {
  let platform: RunningPlatform;
  let session: JobsSession;
  let carol: string, cy: string, vic: string, erin: string;
  let labProject: string, experiment: string, stack: string, annotation: string;
  const as = (token: string) => session.as(token);
  const annotations = () => `/api/experiments/${experiment}/stacks/${stack}/annotations`;

  beforeAll(async () => {
    platform = await startLocalPlatform('e2e-annotations');
    session = await openJobsSession(platform, []);
    ({ carol } = session);
    const sign = (username: string) => signDevToken({ username, email: `${username}@example.org`, name: username }, LOCAL_DEV_JWT_SECRET);
    [cy, vic, erin] = await Promise.all(['cy', 'vic', 'erin'].map(sign));
    for (const token of [cy, vic, erin]) await as(token).get('/api/users?lab=none');
    for (const user of ['cy', 'vic']) await as(session.alice).post('/api/labs/facility/members', { user }).expect(201);
    labProject = (await as(carol).post('/api/projects', { lab: 'facility', name: 'Grid 7', scheme: 'lab' }).expect(201)).body.id;
    await as(carol).put(`/api/projects/${labProject}/access/users/cy`, { role: 'commenter' }).expect(200);
    await as(carol).put(`/api/projects/${labProject}/access/users/vic`, { role: 'viewer' }).expect(200);
    experiment = (await as(carol).post('/api/labs/facility/experiments', { name: 'Grid 7 frames' }).expect(201)).body.id;
    await as(carol).post(`/api/projects/${labProject}/experiments`, { experimentIds: [experiment], confirmWidening: true }).expect(200);
    const fileIds: string[] = [];
    for (const [index, level] of [40, 80, 120, 160].entries()) {
      const uploaded = await as(carol).upload(`/api/projects/${labProject}/experiments/${experiment}/files`, `frames/f${index}.png`, await frame(level)).expect(201);
      fileIds.push(uploaded.body.id);
    }
    stack = (await as(carol).post(`/api/experiments/${experiment}/stacks`, { name: 'Focus series', fileIds }).expect(201)).body.id;
  }, 180_000);
  afterAll(() => platform?.stop(), 60_000);

  it('L-10 Commenter "can see experiments in the project and comment/annotate stacks": frame 3, a rectangle, @mentions resolved', async () => {
    const pin = { kind: 'rectangle', x: 5, y: 6, width: 20, height: 10 };
    const made = await as(cy).post(annotations(), { frame: 2, body: 'A crack here, @carol', pin }).expect(201);
    annotation = made.body.id;
    expect(made.body).toMatchObject({ stackId: stack, experimentId: experiment, projectId: labProject, frame: 2, version: 1, pin, mentions: [{ username: 'carol' }] });
    expect((await as(cy).get(annotations()).expect(200)).body.items).toEqual([made.body]);
  });

  it('L-11 Viewer "can see experiments and stacks in the project, but cannot comment/annotate": sees it, is refused with 403', async () => {
    expect((await as(vic).get(annotations()).expect(200)).body.items.map((item: { id: string }) => item.id)).toEqual([annotation]);
    expect((await as(vic).post(annotations(), { frame: 0, body: 'Me too' }).expect(403)).body.rule).toBe('requires.stacks.annotate');
  });

  it('to someone who cannot see the experiment the annotations are missing, exactly like a missing experiment', async () => {
    const missing = '01900000-0000-7000-8000-0ddba11c0ffe';
    for (const path of [annotations(), `${annotations()}/${annotation}`]) {
      const unseen = await as(erin).get(path);
      const absent = await as(erin).get(path.replace(experiment, missing));
      expect({ status: unseen.status, rule: unseen.body.rule }).toEqual({ status: 404, rule: absent.body.rule });
    }
    expect((await as(erin).post(annotations(), { frame: 0, body: 'Hello' }).expect(404)).body.rule).toBe('experiments.not-found');
  });

  it('a pin outside the frame or a frame past the last is refused, naming the field', async () => {
    const outside = await as(cy).post(annotations(), { frame: 0, body: 'Off the edge', pin: { kind: 'point', x: 40, y: 0 } }).expect(400);
    expect(outside.body.errors).toEqual([expect.objectContaining({ field: 'pin.x' })]);
    const past = await as(cy).post(annotations(), { frame: 4, body: 'No such frame' }).expect(400);
    expect(past.body.errors).toEqual([expect.objectContaining({ field: 'frame' })]);
  });

  it('edits keep their history, and only the author edits', async () => {
    expect((await as(carol).patch(`${annotations()}/${annotation}`, { body: 'Mine now' }).expect(403)).body.rule).toBe('stacks.annotation-author-only');
    await as(cy).patch(`${annotations()}/${annotation}`, { body: 'Two cracks', pin: { kind: 'point', x: 39, y: 29 } }).expect(200);
    const shown = (await as(vic).get(`${annotations()}/${annotation}`).expect(200)).body;
    expect(shown).toMatchObject({ version: 2, body: 'Two cracks', pin: { kind: 'point', x: 39, y: 29 }, mentions: [] });
    expect(shown.versions.map((version: { version: number; body: string }) => [version.version, version.body])).toEqual([
      [1, 'A crack here, @carol'],
      [2, 'Two cracks'],
    ]);
  });

  it("annotations appear in the activity of the project they were written through", async () => {
    const activity = (await as(vic).get(`/api/projects/${labProject}/activity`).expect(200)).body.items as { type: string; details: Record<string, unknown> }[];
    expect(activity.filter((entry) => entry.type.startsWith('projects.stack.annot')).map(({ type, details }) => [type, details.annotationId, details.frame])).toEqual([
      ['projects.stack.annotation-edited.v1', annotation, 2],
      ['projects.stack.annotated.v1', annotation, 2],
    ]);
  });
});
