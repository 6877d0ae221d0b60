import { isDeepStrictEqual } from 'node:util';
import request from 'supertest';
import { LOCAL_DEV_JWT_SECRET, signDevToken } from '@cairn/auth';
import { MAX_JSON_DEPTH } from '@cairn/http';
import type { RunningPlatform } from '@cairn/local-platform';
import sharp from 'sharp';
import { startLocalPlatform } from './local-platform';
import { demoTemplate, demoTemplates } from '@cairn/testing';

const DEMO_TEMPLATES = demoTemplates();
const FILE_STATISTICS = demoTemplate('File Statistics');

type Method = 'get' | 'post' | 'put' | 'patch' | 'delete';
interface Schema {
  type?: string;
  enum?: unknown[];
  example?: unknown;
  default?: unknown;
  required?: string[];
  items?: Schema;
  properties?: Record<string, Schema>;
  $ref?: string;
  allOf?: Schema[];
}
interface OpenApiOperation {
  parameters?: { name: string; in: string }[];
  requestBody?: { content: Record<string, { schema: Schema }> };
  responses: Record<string, unknown>;
}
interface OpenApiDocument {
  paths: Record<string, Partial<Record<Method, OpenApiOperation>>>;
  components?: { schemas?: Record<string, Schema> };
}

/** One operation of a service's OpenAPI document, with its JSON body's schema (references resolved) when it takes one. */
interface Endpoint {
  service: string;
  method: Method;
  /** As the document writes it: `/api/projects/{id}/files`. */
  template: string;
  jsonBody?: Schema;
  answers201: boolean;
  /** The names of its query parameters. */
  query: string[];
}

/** A malformed body, what the endpoint must answer, and why. */
interface BadBody {
  what: string;
  raw: string | Buffer;
  /** `null`: no Content-Type at all. */
  contentType?: string | null;
  /** The exact status, for refusals made before anyone's rights are looked at. */
  status?: number;
  /** The field (or `rule`) the problem document must name. */
  field?: string;
  rule?: string;
}

const resolve = (document: OpenApiDocument, schema: Schema | undefined): Schema | undefined => {
  const reference = schema?.$ref ?? schema?.allOf?.find((part) => part.$ref)?.$ref;
  return reference ? document.components?.schemas?.[reference.split('/').pop()!] : schema;
};

function endpointsOf(service: string, document: OpenApiDocument): Endpoint[] {
  return Object.entries(document.paths).flatMap(([template, operations]) =>
    (Object.entries(operations) as [Method, OpenApiOperation][]).map(([method, operation]) => {
      const json = operation.requestBody?.content['application/json']?.schema;
      const body = resolve(document, json);
      // Nested DTOs are resolved once, so their fields get bad values too; the property's example stays.
      const properties = Object.fromEntries(
        Object.entries(body?.properties ?? {}).map(([name, field]) => [name, { ...resolve(document, field), ...(field.example === undefined ? {} : { example: field.example }) }]),
      );
      const query = (operation.parameters ?? []).filter((parameter) => parameter.in === 'query').map((parameter) => parameter.name);
      return { service, method, template, jsonBody: body && { ...body, properties }, answers201: '201' in operation.responses, query };
    }),
  );
}

/** Values a field of this schema must refuse. */
function wrongValuesFor(schema: Schema): unknown[] {
  switch (schema.type) {
    case 'string':
      return [null, 12345, true, ['text'], { text: 'text' }, 'x'.repeat(100_000), ...(schema.enum ? ['none-of-the-above'] : [])];
    case 'boolean':
      return [null, 'yes', 1];
    case 'integer':
    case 'number':
      return [null, 'twelve', [1], ...(schema.type === 'integer' ? [1.5] : [])];
    case 'array':
      return [null, 'text', { text: 'text' }, [null], ...(schema.items?.type === 'string' ? [[12345]] : [])];
    default:
      return [null, 'text', [], 12345];
  }
}

/** A value the schema takes: its example, first allowed value or default, else one of its type. */
function validValueOf(schema: Schema): unknown {
  const given = schema.example ?? schema.enum?.[0] ?? schema.default;
  if (given !== undefined) return given;
  switch (schema.type) {
    case 'string':
      return 'text';
    case 'boolean':
      return true;
    case 'integer':
    case 'number':
      return 1;
    case 'array':
      return [validValueOf(schema.items ?? {})];
    default:
      return Object.fromEntries((schema.required ?? []).map((name) => [name, validValueOf(schema.properties?.[name] ?? {})]));
  }
}

const validBodyOf = (schema: Schema) => validValueOf(schema) as Record<string, unknown>;

/** Every bad value for every field, nested DTO fields included (`change.kind`), each in an otherwise valid body. */
function badFields(schema: Schema): { field: string; body: unknown }[] {
  const valid = validBodyOf(schema);
  return Object.entries(schema.properties ?? {}).flatMap(([name, field]) => {
    const own = wrongValuesFor(field).map((value) => ({ field: name, body: { ...valid, [name]: value } }));
    const nested = field.properties
      ? badFields(field).map(({ field: inner, body }) => ({ field: `${name}.${inner}`, body: { ...valid, [name]: body } }))
      : [];
    return [...own, ...nested];
  });
}

const nestedIn = (field: string, levels: number) => `{"${field}":${'['.repeat(levels - 1)}${']'.repeat(levels - 1)}}`;

/** The bodies refused before anyone's rights are looked at: the same answer on every JSON endpoint. */
function framingCases(schema: Schema): BadBody[] {
  const first = Object.keys(schema.properties ?? {})[0] ?? 'field';
  return [
    { what: 'nested 10,000 levels', raw: nestedIn(first, 10_000), status: 400, rule: 'request.body.too-deep' },
    { what: `nested ${MAX_JSON_DEPTH + 1} levels`, raw: nestedIn(first, MAX_JSON_DEPTH + 1), status: 400, rule: 'request.body.too-deep' },
    ...['__proto__', 'constructor', 'prototype'].flatMap((key): BadBody[] => [
      { what: `a ${key} key`, raw: `{"${key}":{"${first}":"x"}}`, status: 400, field: key },
      { what: `a ${key} key inside ${first}`, raw: `{"${first}":{"${key}":{}}}`, status: 400, field: `${first}.${key}` },
      { what: `a ${key} key in an array`, raw: `{"${first}":[{"${key}":{}}]}`, status: 400, field: `${first}[0].${key}` },
    ]),
    { what: 'JSON as text/plain', raw: '{}', contentType: 'text/plain', status: 415, rule: 'request.media-type' },
    { what: 'a form-encoded body', raw: `${first}=x`, contentType: 'application/x-www-form-urlencoded', status: 415, rule: 'request.media-type' },
    { what: 'a body without a Content-Type', raw: Buffer.from('{}'), contentType: null, status: 415, rule: 'request.media-type' },
    { what: 'broken JSON', raw: `{"${first}":`, status: 400, rule: 'request.body' },
    { what: 'a JSON string', raw: '"text"', status: 400, rule: 'request.body' },
    { what: 'JSON null', raw: 'null', status: 400, rule: 'request.body' },
  ];
}

/** The bodies whose refusal needs the endpoint's validation (after authorization): a 4xx, and a 400 names the field. */
function fieldCases(schema: Schema): BadBody[] {
  return [
    { what: 'an array', raw: '[]' },
    { what: 'an undeclared field', raw: JSON.stringify({ notAField: 'x' }), field: 'notAField' },
    ...badFields(schema).map(({ field, body }) => ({ what: JSON.stringify(body).slice(0, 60), raw: JSON.stringify(body), field })),
  ];
}

/**
 * Every endpoint of every running service, as its OpenAPI document lists it: a service added to the
 * platform (deploy/local/platform.ts) is covered as soon as it is built. Malformed bodies never reach a
 * 500 (issue 9), and a create answers what its list shows.
 */
describe('every endpoint the services document', () => {
  let platform: RunningPlatform;
  let endpoints: Endpoint[];
  let alice: string;
  let lastPosition = 0;
  /** Ids of the world the calls act on, by the path segment naming their kind (`/projects/{id}`). */
  const ids: Record<string, string> = {};

  const edge = () => request(platform.edgeUrl);
  const track = (call: request.Test, token = alice) =>
    call
      .set('authorization', `Bearer ${token}`)
      .set('Cairn-Min-Position', String(lastPosition))
      .on('response', (response: { headers: Record<string, string> }) => {
        const position = Number(response.headers['cairn-position']);
        if (Number.isSafeInteger(position)) lastPosition = Math.max(lastPosition, position);
      });
  /** A run of File Statistics on the file: a template every world has and an input it accepts. */
  const runOf = (fileId: string) => ({ template: `${FILE_STATISTICS.name}@${FILE_STATISTICS.version}`, inputs: [fileId], parameters: { bins: 4 }, machine: { type: 'cpu', performance: 'standard' } });
  const created = async (call: request.Test) => {
    const response = await call;
    if (response.status !== 201) throw new Error(`${response.status} ${JSON.stringify(response.body)}`);
    return response.body;
  };

  /**
   * The template with the world's ids; `known` is false when a parameter names a kind of thing this world
   * has none of. `missing`: ids of the same shape that name nothing (the last twelve hex digits changed).
   */
  const missingOf = (id: string) => id.replace(/[0-9a-f]{12}$/, '0ddba11c0ffe');
  const pathOf = (template: string, { missing = false } = {}) => {
    let known = true;
    const path = template.replace(/\{(\w+)\}/g, (_match, name: string, offset: number) => {
      const kind = template.slice(0, offset).split('/').filter(Boolean).pop() ?? '';
      if (ids[kind] === undefined) known = false;
      const id = ids[kind] ?? `no-such-${name}`;
      return encodeURIComponent(missing ? missingOf(id) : id);
    });
    return { path, known };
  };

  const send = (endpoint: Endpoint, bad: BadBody) => {
    const call = track(edge()[endpoint.method](pathOf(endpoint.template).path));
    if (bad.contentType === null) return call.send(bad.raw).unset('content-type');
    return call.set('content-type', bad.contentType ?? 'application/json').send(bad.raw);
  };

  /** What is wrong with the answer to a bad body, if anything. */
  const misanswer = (bad: BadBody, response: request.Response): string | undefined => {
    const { status, body } = response;
    if (status >= 500 || status < 400) return `answered ${status}`;
    if (!/application\/problem\+json/.test(response.headers['content-type'] ?? '')) return `answered ${status} without problem+json`;
    if (bad.status !== undefined && status !== bad.status) return `answered ${status}, not ${bad.status}: ${body.detail}`;
    if (bad.rule !== undefined && body.rule !== bad.rule) return `answered rule ${body.rule}, not ${bad.rule}`;
    const named = (body.errors ?? []).map((error: { field: string }) => error.field);
    if (status === 400 && bad.field !== undefined && !named.includes(bad.field)) return `answered 400 naming ${named.join(', ') || 'no field'}, not ${bad.field}: ${body.detail}`;
    return undefined;
  };

  /** Sends each endpoint its bad bodies (one at a time: the machine is shared) and lists every wrong answer. */
  const wrongAnswers = async (casesOf: (schema: Schema) => BadBody[]) => {
    const wrong: string[] = [];
    for (const endpoint of endpoints.filter((candidate) => candidate.jsonBody)) {
      for (const bad of casesOf(endpoint.jsonBody!)) {
        const problem = misanswer(bad, await send(endpoint, bad));
        if (problem) wrong.push(`${endpoint.method.toUpperCase()} ${endpoint.template} with ${bad.what}: ${problem}`);
      }
    }
    return wrong;
  };

  beforeAll(async () => {
    platform = await startLocalPlatform('endpoints');
    endpoints = [];
    for (const service of platform.services) {
      const document = (await request(service.url).get('/docs/openapi.json').expect(200)).body as OpenApiDocument;
      endpoints.push(...endpointsOf(service.name, document));
    }

    // The world: the demo templates, a lab, a project Alice owns with an experiment holding an image, a raw file, a job on it, a deletion request, and Bob.
    alice = await signDevToken({ username: 'alice', admin: true, email: 'alice@example.org', name: 'Alice Admin' }, LOCAL_DEV_JWT_SECRET);
    // Registered while the runner runs: a GPU machine type is taken only when some runner maps it.
    for (const template of DEMO_TEMPLATES) await created(track(edge().post('/api/job-templates')).send(template));
    // No runner from here on: the world's jobs stay queued, as their create answered them.
    await platform.runner?.process.stop('SIGTERM', 15_000);
    for (const username of ['bob', 'carol']) {
      const token = await signDevToken({ username, email: `${username}@example.org`, name: username }, LOCAL_DEV_JWT_SECRET);
      await track(edge().get('/api/users?lab=none'), token);
    }
    ids.labs = (await created(track(edge().post('/api/labs')).send({ name: 'Endpoint Lab' }))).slug;
    await created(track(edge().post(`/api/labs/${ids.labs}/members`)).send({ user: 'bob' }));
    ids.users = ids.members = 'bob';
    ids.projects = (await created(track(edge().post('/api/projects')).send({ lab: ids.labs, name: 'Endpoints', scheme: 'facility' }))).id;
    ids.experiments = (await created(track(edge().post(`/api/labs/${ids.labs}/experiments`)).send({ name: 'Dataset' }))).id;
    await track(edge().post(`/api/projects/${ids.projects}/experiments`)).send({ experimentIds: [ids.experiments] }).expect(200);
    const png = await sharp({ create: { width: 4, height: 3, channels: 3, background: '#808080' } }).png().toBuffer();
    ids.frame = (await created(track(edge().post(`/api/projects/${ids.projects}/experiments/${ids.experiments}/files`)).field('path', 'frames/one.png').attach('file', png, 'one.png'))).id;
    ids.stacks = (await created(track(edge().post(`/api/experiments/${ids.experiments}/stacks`)).send({ name: 'Frames', fileIds: [ids.frame] }))).id;
    ids.annotations = (await created(track(edge().post(`/api/experiments/${ids.experiments}/stacks/${ids.stacks}/annotations`)).send({ frame: 0, body: 'Grey' }))).id;
    ids.files = (await created(track(edge().post(`/api/projects/${ids.projects}/files`)).field('path', 'raw/a.txt').attach('file', Buffer.from('a'), 'a.txt'))).id;
    ids['deletion-requests'] = (await created(track(edge().post(`/api/projects/${ids.projects}/deletion-requests`)).send({ fileIds: [ids.files], reason: 'spec' }))).id;
    ids.jobs = (await created(track(edge().post(`/api/projects/${ids.projects}/jobs`)).send(runOf(ids.files)))).id;
    ids.entries = (await created(track(edge().post(`/api/projects/${ids.projects}/logbook/entries`)).send({ title: 'Plan', body: 'Phase it.' }))).id;
    ids.comments = (await created(track(edge().post(`/api/jobs/${ids.jobs}/comments`)).send({ body: 'Looks right' }))).id;
    const preview = await track(edge().post(`/api/projects/${ids.projects}/access/preview`)).send({ change: { kind: 'set-role', user: 'bob', role: 'viewer' } });
    if (typeof preview.body.previewId !== 'string') throw new Error(`preview: ${preview.status} ${JSON.stringify(preview.body)}`);
    ids.previews = preview.body.previewId;
  }, 180_000);
  afterAll(async () => {
    await platform?.stop();
  });

  describe('no bad input reaches a 500', () => {
    it('finds the JSON endpoints of every running service in its OpenAPI document', () => {
      for (const service of platform.services) {
        expect(endpoints.filter((endpoint) => endpoint.service === service.name && endpoint.jsonBody).length).toBeGreaterThan(0);
      }
    });

    it(`refuses deep nesting, __proto__/constructor/prototype keys, a body that is not JSON or not typed as JSON, on every JSON endpoint, before authorization`, async () => {
      expect(await wrongAnswers(framingCases)).toEqual([]);
    }, 300_000);

    it('refuses null, a value of the wrong type, an overlong string and an undeclared field in every field of every JSON endpoint with a 4xx, a 400 naming the field', async () => {
      expect(await wrongAnswers(fieldCases)).toEqual([]);
    }, 300_000);
  });

  describe('one answer for unseen and missing', () => {
    /** The kinds of things whose existence must not leak to someone who cannot see them, by the path segment naming them. */
    const HIDDEN_KINDS = ['projects', 'jobs', 'files', 'entries', 'comments', 'experiments', 'deletion-requests', 'previews'];

    it('every route, read or write, answers a project, job, file, entry or comment the caller cannot see exactly as a missing one', async () => {
      // Bob is in the lab but has no role on the facility project; Carol is not even in the lab.
      const outsiders = await Promise.all(['bob', 'carol'].map((username) => signDevToken({ username, email: `${username}@example.org`, name: username }, LOCAL_DEV_JWT_SECRET)));
      const hiding = endpoints.filter((endpoint) => {
        const kinds = [...endpoint.template.matchAll(/([\w-]+)\/\{\w+\}/g)].map((match) => match[1]);
        return kinds.some((kind) => HIDDEN_KINDS.includes(kind)) && kinds.every((kind) => ids[kind] !== undefined);
      });
      expect(hiding.length).toBeGreaterThan(20);
      const answerTo = async (endpoint: Endpoint, path: string, token: string) => {
        const call = track(edge()[endpoint.method](path), token);
        const response = await (endpoint.jsonBody ? call.send(validBodyOf(endpoint.jsonBody)) : call);
        return `${response.status} ${response.body?.type ?? ''}`;
      };
      // The audit routes name their project in the query: the history, "access at", verify and the bundle.
      const byProject = endpoints.filter((endpoint) => endpoint.query.includes('project') && pathOf(endpoint.template).known);
      expect(byProject.map((endpoint) => endpoint.template)).toEqual(
        expect.arrayContaining(['/api/audit/access', '/api/audit/access/at', '/api/audit/access/verify', '/api/audit/access/bundle']),
      );
      const told: string[] = [];
      for (const token of outsiders) {
        for (const endpoint of hiding) {
          const unseen = await answerTo(endpoint, pathOf(endpoint.template).path, token);
          const missing = await answerTo(endpoint, pathOf(endpoint.template, { missing: true }).path, token);
          if (unseen !== missing) told.push(`${endpoint.method.toUpperCase()} ${endpoint.template}: unseen ${unseen}, missing ${missing}`);
        }
        for (const endpoint of byProject) {
          const { path } = pathOf(endpoint.template);
          const unseen = await answerTo(endpoint, `${path}?project=${ids.projects}`, token);
          const missing = await answerTo(endpoint, `${path}?project=${missingOf(ids.projects)}`, token);
          if (unseen !== missing) told.push(`${endpoint.method.toUpperCase()} ${endpoint.template}?project=: unseen ${unseen}, missing ${missing}`);
        }
      }
      expect(told).toEqual([]);
    }, 300_000);
  });

  describe('one shape per resource', () => {
    /** How this spec makes one of each thing a create endpoint makes, and finds it in its list. */
    interface CreateExample {
      create(path: string): Promise<request.Response>;
      /** More of the list's query, to show the new item. */
      listQuery?: string;
      /** What identifies the item, when it is not `id` (a lab member is a user of the lab). */
      key?: string;
    }
    const upload = (path: string, filePath: string) => track(edge().post(path)).field('path', filePath).attach('file', Buffer.from(filePath), 'file.txt');
    const CREATES: Record<string, CreateExample> = {
      '/api/labs': { create: async (path) => track(edge().post(path)).send({ name: 'Shapes Lab' }) },
      '/api/labs/{lab}/members': { create: async (path) => track(edge().post(path)).send({ user: 'carol' }), key: 'userId' },
      '/api/projects': { create: async (path) => track(edge().post(path)).send({ lab: ids.labs, name: 'Shapes', scheme: 'lab', baseLevel: 'viewer' }) },
      '/api/labs/{lab}/experiments': { create: async (path) => track(edge().post(path)).send({ name: 'Shapes dataset', description: 'one of each' }) },
      '/api/projects/{id}/files': { create: async (path) => upload(path, 'raw/shapes/created.txt'), listQuery: '&folder=raw/shapes' },
      '/api/projects/{id}/deletion-requests': {
        create: async (path) => {
          const file = await created(upload(`/api/projects/${ids.projects}/files`, 'raw/shapes/to-delete.txt'));
          return track(edge().post(path)).send({ fileIds: [file.id], reason: 'one of each' });
        },
      },
      '/api/jobs/{id}/comments': { create: async (path) => track(edge().post(path)).send({ body: 'Sharper than the first render, @bob' }) },
      '/api/experiments/{experimentId}/stacks': { create: async (path) => track(edge().post(path)).send({ name: 'One of each', fileIds: [ids.frame] }) },
      '/api/experiments/{experimentId}/stacks/{stackId}/annotations': {
        create: async (path) => track(edge().post(path)).send({ frame: 0, body: 'One of each, for @bob', pin: { kind: 'rectangle', x: 1, y: 1, width: 2, height: 2 } }),
      },
      '/api/experiments/{id}/comments': { create: async (path) => track(edge().post(path)).send({ body: 'One of each, for @bob' }) },
      '/api/job-templates': { create: async (path) => track(edge().post(path)).send({ ...FILE_STATISTICS, version: '1.0.1', description: 'One of each.', machineTypes: ['cpu/standard'] }) },
      '/api/projects/{id}/jobs': { create: async (path) => track(edge().post(path)).send(runOf(ids.files)) },
      '/api/projects/{id}/access/invitations': { create: async (path) => track(edge().post(path)).send({ email: 'ines@example.org', role: 'viewer' }), key: 'invitation' },
    };

    it('every create endpoint (a POST answering 201 where a GET lists) answers the item its list then shows, id included', async () => {
      const creates = endpoints.filter(
        (endpoint) => endpoint.method === 'post' && endpoint.answers201 && endpoints.some((list) => list.method === 'get' && list.template === endpoint.template),
      );
      expect(creates.length).toBeGreaterThan(0);
      const wrong: string[] = [];
      for (const endpoint of creates) {
        const example = CREATES[endpoint.template];
        if (!example) {
          wrong.push(`POST ${endpoint.template} (${endpoint.service}): this spec has no example of it; add one to CREATES`);
          continue;
        }
        const { path } = pathOf(endpoint.template);
        const answer = await example.create(path);
        const key = example.key ?? 'id';
        if (answer.status !== 201 || typeof answer.body[key] !== 'string') {
          wrong.push(`POST ${endpoint.template} answered ${answer.status} ${JSON.stringify(answer.body)}, without ${key}`);
          continue;
        }
        const list = await track(edge().get(`${path}?limit=500${example.listQuery ?? ''}`)).expect(200);
        const listed = list.body.items.find((item: Record<string, unknown>) => item[key] === answer.body[key]);
        if (!isDeepStrictEqual(listed, answer.body)) {
          wrong.push(`POST ${endpoint.template} answered ${JSON.stringify(answer.body)} but GET lists ${JSON.stringify(listed)}`);
        }
      }
      expect(wrong).toEqual([]);
    }, 120_000);
  });
});
