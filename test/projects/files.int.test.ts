import { request as httpRequest } from 'node:http';
import { FilesService } from '@cairn/projects-service';
import { createHash } from 'node:crypto';
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { Platform, type Person } from './platform';

const MAX_UPLOAD_BYTES = 4096;
const sha256 = (content: string | Buffer) => createHash('sha256').update(content).digest('hex');

/**
 * The project file space and four-eyes deletion over HTTP (docs/requirements.md F-1, F-2, F-7, F-8, F-10, F-16), as the facility guide tells them ("What gets
 * shared when you collaborate", the roles) and the design's deletion rule: processed data requested by a
 * member and approved by a manager; raw data requested by a manager and approved by the owner; lab scheme:
 * experimenters request processed deletions, owners the rest; never approved by the requester.
 */
describe('project files and deletion requests over HTTP', () => {
  let platform: Platform;
  // Facility lab: owner, manager, member, viewer, and a newcomer.
  let olivia: Person, manon: Person, mehdi: Person, vikram: Person, nadia: Person;
  // Sundog lab (lab scheme).
  let alice: Person, bob: Person;
  let project: string;
  let labProject: string;
  let rawFile: string;
  const csv = 'sample,intensity\nA1,0.42\nA2,0.57\n';

  const blobFiles = async () => {
    const found: string[] = [];
    const walk = async (folder: string): Promise<void> => {
      for (const entry of await readdir(folder, { withFileTypes: true }).catch(() => [])) {
        if (entry.isDirectory()) await walk(join(folder, entry.name));
        else found.push(entry.name);
      }
    };
    await walk(platform.dataDir);
    return found;
  };

  const jobOutput = async (projectId: string, jobId: string, path: string, content: string, triggeredBy: Person) => {
    const files = platform.projects.app.get(FilesService);
    const recorded = await files.recordJobOutput(projectId, { jobId, triggeredBy: triggeredBy.userId }, path, Readable.from([Buffer.from(content)]), MAX_UPLOAD_BYTES);
    platform.observe(recorded.position);
    return recorded;
  };

  beforeAll(async () => {
    platform = await Platform.start({ env: { CAIRN_MAX_UPLOAD_BYTES: String(MAX_UPLOAD_BYTES) } });
    [olivia, manon, mehdi, vikram, nadia, alice, bob] = await Promise.all(
      ['olivia', 'manon', 'mehdi', 'vikram', 'nadia', 'alice', 'bob'].map((name) => platform.signIn(name)),
    );
    await platform.lab('facility', [olivia, manon, mehdi, vikram, nadia]);
    await platform.lab('sundog', [alice, bob]);
    project = (await platform.as(olivia).post('/api/projects', { lab: 'facility', name: 'Lysozyme SAXS', scheme: 'facility' })).body.id;
    for (const [person, role] of [[manon, 'manager'], [mehdi, 'member'], [vikram, 'viewer']] as const) {
      await platform.accessAs(olivia).put(`/api/projects/${project}/access/users/${person.username}`, { role }).expect(200);
    }
    labProject = (await platform.as(alice).post('/api/projects', { lab: 'sundog', name: 'Thaumatin', scheme: 'lab' })).body.id;
    await platform.accessAs(alice).put(`/api/projects/${labProject}/access/users/bob`, { role: 'owner' }).expect(200);
  }, 30_000);
  afterAll(() => platform?.stop(), 30_000);

  describe('uploads and browsing', () => {
    it('"Member: Can upload data": the upload is streamed to the store with its size and SHA-256 recorded', async () => {
      const uploaded = await platform.as(mehdi).upload(`/api/projects/${project}/files`, 'raw/run-1/intensities.csv', csv, 'intensities.csv');
      expect(uploaded.status).toBe(201);
      expect(uploaded.body).toMatchObject({ path: 'raw/run-1/intensities.csv', folder: 'raw/run-1', kind: 'raw', size: csv.length, sha256: sha256(csv), addedBy: mehdi.userId });
      rawFile = uploaded.body.id;
    });

    it('"Viewer: Read-only access ... cannot modify anything": a viewer cannot upload', async () => {
      const refused = await platform.as(vikram).upload(`/api/projects/${project}/files`, 'raw/mine.txt', 'x');
      expect(refused.status).toBe(403);
      expect(refused.body.rule).toBe('capability.files.upload');
    });

    it('"they get access to: Raw data and uploaded files in the project": a viewer browses by folder and downloads the same bytes', async () => {
      const top = await platform.as(vikram).get(`/api/projects/${project}/files`);
      expect(top.body).toMatchObject({ folder: '', folders: ['raw'], items: [] });
      const raw = await platform.as(vikram).get(`/api/projects/${project}/files?folder=raw`);
      expect(raw.body).toMatchObject({ folders: ['run-1'], items: [] });
      const run = await platform.as(vikram).get(`/api/projects/${project}/files?folder=raw/run-1`);
      expect(run.body.items.map((file: { name: string }) => file.name)).toEqual(['intensities.csv']);
      // A folder's address as a file browser writes it, with its trailing slash, names the same folder.
      expect((await platform.as(vikram).get(`/api/projects/${project}/files?folder=raw/run-1/`)).body).toMatchObject({ folder: 'raw/run-1', items: run.body.items });

      const download = await platform.as(vikram).get(`/api/projects/${project}/files/${rawFile}/content`).buffer(true);
      expect(download.status).toBe(200);
      expect(download.headers['content-disposition']).toContain('intensities.csv');
      expect(download.body.toString()).toBe(csv);
    });

    it('"New members see everything that was there before they joined"', async () => {
      await platform.accessAs(olivia).put(`/api/projects/${project}/access/users/nadia`, { role: 'viewer' }).expect(200);
      const download = await platform.as(nadia).get(`/api/projects/${project}/files/${rawFile}/content`).buffer(true);
      expect(download.status).toBe(200);
      expect(download.body.toString()).toBe(csv);
    });

    it.each([
      ['climbs out with ..', 'raw/../../etc/passwd'],
      ['is absolute', '/etc/passwd'],
      ['uses a backslash', 'raw\\..\\secret'],
      ['is not under raw/', 'processed/job-1/fake.csv'],
    ])('a path that %s is refused with 400 and nothing is stored', async (_case, path) => {
      const before = await blobFiles();
      const refused = await platform.as(mehdi).upload(`/api/projects/${project}/files`, path, 'evil');
      expect(refused.status).toBe(400);
      expect(refused.body.errors).toEqual([expect.objectContaining({ field: 'path' })]);
      expect(await blobFiles()).toEqual(before);
    });

    it('an upload over the size limit is refused with 413 and nothing stays stored', async () => {
      const before = await blobFiles();
      const refused = await platform.as(mehdi).upload(`/api/projects/${project}/files`, 'raw/huge.bin', Buffer.alloc(MAX_UPLOAD_BYTES + 1, 7));
      expect(refused.status).toBe(413);
      expect(refused.body).toMatchObject({ rule: 'files.too-large', maxBytes: MAX_UPLOAD_BYTES });
      expect(await blobFiles()).toEqual(before);
      const atTheLimit = await platform.as(mehdi).upload(`/api/projects/${project}/files`, 'raw/exact.bin', Buffer.alloc(MAX_UPLOAD_BYTES, 7));
      expect(atTheLimit.status).toBe(201);
    });

    it('an upload declared larger than the limit is refused with 413 before its body is read', async () => {
      // The body never comes: only an answer that does not wait for it can arrive.
      const token = (await platform.signIn('mehdi')).token;
      const server = platform.projects.server as import('node:http').Server;
      if (!server.listening) await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      const { port } = server.address() as import('node:net').AddressInfo;
      const answer = await new Promise<{ status?: number; body: string }>((resolve, reject) => {
        const call = httpRequest(
          {
            host: '127.0.0.1',
            port,
            method: 'POST',
            path: `/api/projects/${project}/files`,
            headers: {
              authorization: `Bearer ${token}`,
              'content-type': 'multipart/form-data; boundary=x',
              'content-length': String(10 * 1024 ** 3),
            },
          },
          (response) => {
            let body = '';
            response.on('data', (chunk: Buffer) => (body += chunk.toString()));
            response.on('end', () => {
              resolve({ status: response.statusCode, body });
              call.destroy();
            });
          },
        );
        call.on('error', reject);
        call.write('--x\r\n');
      });
      expect(answer.status).toBe(413);
      expect(JSON.parse(answer.body)).toMatchObject({ rule: 'files.too-large', maxBytes: MAX_UPLOAD_BYTES });
    });

    it.each([
      ['has no boundary parameter', 'multipart/form-data', '--x\r\ncontent-disposition: form-data; name="path"\r\n\r\nraw/a.txt\r\n--x--\r\n'],
      ['never closes its boundary', 'multipart/form-data; boundary=x', '--x\r\ncontent-disposition: form-data; name="path"\r\n\r\nraw/a.txt\r\n'],
      [
        'ends inside the file part',
        'multipart/form-data; boundary=x',
        '--x\r\ncontent-disposition: form-data; name="path"\r\n\r\nraw/cut.txt\r\n--x\r\ncontent-disposition: form-data; name="file"; filename="cut.txt"\r\n\r\nhalf a fi',
      ],
      ['has a part without headers', 'multipart/form-data; boundary=x', '--x\r\n\r\n--x--\r\n'],
      ['holds no boundary line at all', 'multipart/form-data; boundary=x', 'hello'],
    ])('a multipart body that %s is refused with 400 and nothing is stored', async (_case, contentType, body) => {
      const before = await blobFiles();
      const refused = await platform.as(mehdi).post(`/api/projects/${project}/files`).set('content-type', contentType).send(body);
      expect(refused.status).toBe(400);
      expect(refused.headers['content-type']).toMatch(/application\/problem\+json/);
      expect(refused.body.rule).toBe('files.multipart');
      expect(await blobFiles()).toEqual(before);
    });

    it('a JSON body is refused with 415: the upload takes multipart/form-data', async () => {
      const refused = await platform.as(mehdi).post(`/api/projects/${project}/files`, { path: 'raw/a.txt', file: 'abc' });
      expect(refused.status).toBe(415);
      expect(refused.body.accepted).toEqual(['multipart/form-data']);
    });

    it('a path that already holds a file is refused with 409, and the second upload\'s bytes are not kept', async () => {
      const before = await blobFiles();
      const refused = await platform.as(mehdi).upload(`/api/projects/${project}/files`, 'raw/run-1/intensities.csv', 'other');
      expect(refused.status).toBe(409);
      expect(refused.body.rule).toBe('files.path-taken');
      expect(await blobFiles()).toEqual(before);
    });

    it('"Option B: ... Go to the Processed folder — each job creates its own output folder"', async () => {
      await jobOutput(project, 'job-7', 'processed/job-7/profile.dat', 'q,I\n', mehdi);
      const processed = await platform.as(vikram).get(`/api/projects/${project}/files?folder=processed`);
      expect(processed.body.folders).toEqual(['job-7']);
      const outputs = await platform.as(vikram).get(`/api/projects/${project}/files?folder=processed/job-7`);
      expect(outputs.body.items).toEqual([expect.objectContaining({ name: 'profile.dat', kind: 'processed', jobId: 'job-7', addedBy: mehdi.userId })]);
    });
  });

  describe('four-eyes deletion, facility scheme', () => {
    let processedFile: string;

    beforeAll(async () => {
      processedFile = (await jobOutput(project, 'job-8', 'processed/job-8/map.png', 'png-bytes', mehdi)).file.id;
    });

    const request = (person: Person, fileIds: string[], reason = 'superseded by job-9') =>
      platform.as(person).post(`/api/projects/${project}/deletion-requests`, { fileIds, reason });
    const decide = (person: Person, requestId: string, decision: 'approve' | 'reject', body: object = {}) =>
      platform.as(person).post(`/api/deletion-requests/${requestId}/${decision}`, body);

    it('"Member: ... Cannot ... request deletions of raw data"', async () => {
      const refused = await request(mehdi, [rawFile]);
      expect(refused.status).toBe(403);
      expect(refused.body.rule).toBe('requires.deletion.request.raw');
    });

    it('a request naming a file that is not in the file space requests nothing', async () => {
      const refused = await request(mehdi, [processedFile, 'no-such-file']);
      expect(refused.status).toBe(404);
      expect(refused.body).toMatchObject({ rule: 'files.not-found', fileIds: ['no-such-file'] });
    });

    it('"Member: ... request deletion of non-raw data"; "Manager: ... approve deletion of non-raw data": the bytes go, the record stays in the activity', async () => {
      const requested = await request(mehdi, [processedFile]);
      expect(requested.status).toBe(201);
      expect(requested.body).toMatchObject({ scope: 'processed', files: [{ fileId: processedFile, path: 'processed/job-8/map.png', kind: 'processed' }] });
      const requestId = requested.body.id;

      const byViewer = await decide(vikram, requestId, 'approve');
      expect(byViewer.status).toBe(403);
      expect(byViewer.body.rule).toBe('requires.deletion.approve.processed');

      const before = await blobFiles();
      const approved = await decide(manon, requestId, 'approve');
      expect(approved.status).toBe(200);
      expect(approved.body).toMatchObject({ status: 'approved', deletedFileIds: [processedFile] });
      expect(await blobFiles()).toEqual(before.filter((name) => name !== processedFile));

      const listing = await platform.as(vikram).get(`/api/projects/${project}/files?folder=processed/job-8`);
      expect(listing.body.items).toEqual([]);
      const download = await platform.as(vikram).get(`/api/projects/${project}/files/${processedFile}/content`);
      expect(download.status).toBe(404);
      const activity = await platform.as(vikram).get(`/api/projects/${project}/activity?limit=3`);
      expect(activity.body.items.map((entry: { type: string }) => entry.type)).toEqual([
        'projects.file.deleted.v1',
        'projects.deletion.approved.v1',
        'projects.deletion.requested.v1',
      ]);
      expect(activity.body.items[0]).toMatchObject({ actor: manon.userId, details: { fileId: processedFile, path: 'processed/job-8/map.png', requestId } });

      const again = await decide(olivia, requestId, 'approve');
      expect(again.status).toBe(409);
      expect(again.body.rule).toBe('deletion.already-decided');
    });

    it('"Manager: ... request deletions of raw data"; the requester never approves their own request; the owner rejects and the file stays', async () => {
      const requested = await request(manon, [rawFile], 'wrong sample plate');
      expect(requested.status).toBe(201);
      expect(requested.body.scope).toBe('raw');

      const own = await decide(manon, requested.body.id, 'approve');
      expect(own.status).toBe(403);
      expect(own.body.rule).toBe('deletion.four-eyes');

      const rejected = await decide(olivia, requested.body.id, 'reject', { reason: 'the plate was right' });
      expect(rejected.status).toBe(200);
      expect(rejected.body.status).toBe('rejected');
      const download = await platform.as(vikram).get(`/api/projects/${project}/files/${rawFile}/content`).buffer(true);
      expect(download.body.toString()).toBe(csv);
    });

    it('"Owner: ... approves deletion of raw data" — a manager may not', async () => {
      const requested = await request(manon, [rawFile], 'really the wrong plate');
      expect(requested.status).toBe(201);
      const byOtherManager = await decide(mehdi, requested.body.id, 'approve');
      expect(byOtherManager.status).toBe(403);
      expect(byOtherManager.body.rule).toBe('requires.deletion.approve.raw');

      const approved = await decide(olivia, requested.body.id, 'approve');
      expect(approved.status).toBe(200);
      const download = await platform.as(vikram).get(`/api/projects/${project}/files/${rawFile}/content`);
      expect(download.status).toBe(404);

      const requests = await platform.as(vikram).get(`/api/projects/${project}/deletion-requests`);
      expect(requests.body.items.map((item: { scope: string; status: string; requestedBy: string }) => [item.scope, item.status, item.requestedBy])).toEqual([
        ['processed', 'approved', mehdi.userId],
        ['raw', 'rejected', manon.userId],
        ['raw', 'approved', manon.userId],
      ]);
    });
  });

  describe('four-eyes deletion, lab scheme', () => {
    it('an owner requests deletion of raw data and another owner approves; the requester cannot', async () => {
      const uploaded = await platform.as(alice).upload(`/api/projects/${labProject}/files`, 'raw/stack-1.tif', 'tiff');
      expect(uploaded.status).toBe(201);
      const requested = await platform.as(alice).post(`/api/projects/${labProject}/deletion-requests`, { fileIds: [uploaded.body.id], reason: 'blurred' });
      expect(requested.status).toBe(201);

      const own = await platform.as(alice).post(`/api/deletion-requests/${requested.body.id}/approve`);
      expect(own.status).toBe(403);
      expect(own.body.rule).toBe('deletion.four-eyes');
      const approved = await platform.as(bob).post(`/api/deletion-requests/${requested.body.id}/approve`);
      expect(approved.status).toBe(200);
      expect(approved.body.deletedFileIds).toEqual([uploaded.body.id]);
    });

    it('a deletion request needs a reason', async () => {
      const uploaded = await platform.as(alice).upload(`/api/projects/${labProject}/files`, 'raw/stack-2.tif', 'tiff');
      const refused = await platform.as(alice).post(`/api/projects/${labProject}/deletion-requests`, { fileIds: [uploaded.body.id], reason: ' ' });
      expect(refused.status).toBe(400);
      expect(refused.body.errors).toEqual([{ field: 'reason', message: 'must not be blank' }]);
    });
  });
});
