import { Body, Controller, Delete, HttpCode, Module, Post, type INestApplication } from '@nestjs/common';
import { ApiConsumes } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsArray, IsBoolean, IsOptional, IsString, ValidateNested } from 'class-validator';
import request from 'supertest';
import { createServiceApp } from './bootstrap';
import { MAX_JSON_DEPTH } from './request-body';

class NoteDto {
  @IsString()
  text!: string;

  @IsOptional()
  @IsString()
  author?: string;
}

class ChangeDto {
  @IsOptional()
  @IsString()
  reason?: string;

  @IsOptional()
  @IsBoolean()
  confirm?: boolean;

  @IsOptional()
  @ValidateNested()
  @Type(() => NoteDto)
  note?: NoteDto;

  @IsOptional()
  @IsArray()
  @ValidateNested({ each: true })
  @Type(() => NoteDto)
  notes?: NoteDto[];
}

@Controller('things')
class ThingsController {
  @Post()
  create(@Body() body: ChangeDto) {
    return { received: body };
  }

  @Delete()
  @HttpCode(200)
  remove(@Body() body: ChangeDto) {
    return { received: body };
  }

  @Post('upload')
  @ApiConsumes('multipart/form-data')
  upload() {
    return { uploaded: true };
  }
}

@Module({ controllers: [ThingsController] })
class ThingsModule {}

const nested = (levels: number) => `{"reason":${'['.repeat(levels - 1)}${']'.repeat(levels - 1)}}`;

/** What every service's HTTP layer does with a body before a controller sees it (libs/http bootstrap). */
describe('request bodies', () => {
  let app: INestApplication;
  const api = () => request(app.getHttpServer());
  const json = (method: 'post' | 'delete', raw: string) => api()[method]('/api/things').set('content-type', 'application/json').send(raw);

  beforeAll(async () => {
    app = await createServiceApp(ThingsModule, { name: 'things', logger: false });
    await app.init();
  });
  afterAll(() => app?.close());

  describe(`JSON is nested at most ${MAX_JSON_DEPTH} levels`, () => {
    it('refuses 10,000 levels with 400 before parsing', async () => {
      const response = await json('post', nested(10_000));
      expect(response.status).toBe(400);
      expect(response.headers['content-type']).toMatch(/application\/problem\+json/);
      expect(response.body).toMatchObject({ rule: 'request.body.too-deep', maxDepth: MAX_JSON_DEPTH });
    });

    it(`parses ${MAX_JSON_DEPTH} levels and lets validation judge them`, async () => {
      const response = await json('post', nested(MAX_JSON_DEPTH));
      expect(response.status).toBe(400);
      expect(response.body.rule).toBe('validation');
      expect(response.body.errors.map((error: { field: string }) => error.field)).toContain('reason');
    });

    it('counts no bracket inside a string', async () => {
      const response = await json('post', JSON.stringify({ reason: `${'[{'.repeat(200)}\\"]` }));
      expect(response.status).toBe(201);
      expect(response.body.received.reason).toBe(`${'[{'.repeat(200)}\\"]`);
    });
  });

  describe('__proto__, constructor and prototype are refused like unknown fields, at any depth', () => {
    it.each([
      ['{"__proto__":{"confirm":true},"reason":"x"}', '__proto__'],
      ['{"constructor":{"prototype":{}}}', 'constructor'],
      ['{"note":{"text":"a","prototype":{}}}', 'note.prototype'],
      ['{"notes":[{"text":"a"},{"text":"b","__proto__":{}}]}', 'notes[1].__proto__'],
    ])('%s is a 400 naming %s', async (raw, field) => {
      const response = await json('post', raw);
      expect(response.status).toBe(400);
      expect(response.body).toMatchObject({ rule: 'validation', errors: [{ field, message: 'is not a field of this request' }] });
    });
  });

  describe('an optional field is left out or has a value, never null', () => {
    it.each([
      ['{"reason":null}', 'reason', 'delete'],
      ['{"confirm":null}', 'confirm', 'post'],
      ['{"note":{"text":"a","author":null}}', 'note.author', 'post'],
      ['{"notes":[{"text":"a","author":null}]}', 'notes.author', 'post'],
    ] as const)('%s is a 400 naming %s', async (raw, field, method) => {
      const response = await json(method, raw);
      expect(response.status).toBe(400);
      expect(response.body.errors).toEqual([{ field, message: `${field.split('.').pop()} is left out or given a value, not null` }]);
    });

    it('takes the same body with the field left out', async () => {
      await json('delete', '{}').expect(200);
      await json('post', '{"note":{"text":"a"}}').expect(201);
    });
  });

  describe('a body the endpoint cannot read is a 415', () => {
    it('on DELETE with a JSON body sent as text/plain', async () => {
      const response = await api().delete('/api/things').set('content-type', 'text/plain').send('{"reason":"x"}');
      expect(response.status).toBe(415);
      expect(response.body).toMatchObject({ rule: 'request.media-type', accepted: ['application/json', 'application/*+json'] });
    });

    it('on DELETE with a body and no Content-Type', async () => {
      const response = await api()
        .delete('/api/things')
        .set('content-length', '14')
        .send(Buffer.from('{"reason":"x"}'))
        .unset('content-type');
      expect(response.status).toBe(415);
      expect(response.body.detail).toMatch(/without a Content-Type/);
    });

    it('on JSON in UTF-16', async () => {
      const response = await api().post('/api/things').set('content-type', 'application/json; charset=utf-16le').send(Buffer.from('{}', 'utf16le'));
      expect(response.status).toBe(415);
      expect(response.body.rule).toBe('request.body.charset');
    });

    it('on JSON sent to an endpoint that declares multipart/form-data', async () => {
      const response = await api().post('/api/things/upload').set('content-type', 'application/json').send('{}');
      expect(response.status).toBe(415);
      expect(response.body.accepted).toEqual(['multipart/form-data']);
    });

    it('but a DELETE without a body needs no Content-Type', async () => {
      await api().delete('/api/things').expect(200);
    });
  });

  it('answers a body that is not JSON with 400 problem+json', async () => {
    const response = await json('post', '{"reason":');
    expect(response.status).toBe(400);
    expect(response.body).toMatchObject({ rule: 'request.body', detail: 'The request body is not valid JSON.' });
  });
});
