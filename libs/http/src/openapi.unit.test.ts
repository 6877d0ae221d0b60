import type { OpenAPIObject } from '@nestjs/swagger';
import { withClosedRequestBodies, withOptionalBodies } from './openapi';

const bodyOf = (schema: string) => ({ required: true, content: { 'application/json': { schema: { $ref: `#/components/schemas/${schema}` } } } });
const document = (): OpenAPIObject => ({
  openapi: '3.0.0',
  info: { title: 't', version: '1' },
  paths: {
    '/api/projects/{id}': { delete: { requestBody: bodyOf('ExpectedVersionDto'), responses: {} }, patch: { requestBody: bodyOf('RunDto'), responses: {} } },
  },
  components: {
    schemas: {
      ExpectedVersionDto: { type: 'object', properties: { expectedVersion: { type: 'integer' } } },
      RunDto: {
        type: 'object',
        required: ['machine'],
        properties: { machine: { $ref: '#/components/schemas/MachineDto' }, parameters: { type: 'object', additionalProperties: true } },
      },
      MachineDto: { type: 'object', required: ['type'], properties: { type: { type: 'string' } } },
      AnswerDto: { type: 'object', properties: { id: { type: 'string' } } },
    },
  },
});

describe('OpenAPI documents say what validation accepts', () => {
  it('a body none of whose fields is required is optional; one with a required field stays required', () => {
    const paths = withOptionalBodies(document()).paths['/api/projects/{id}'];
    expect(paths.delete?.requestBody).toMatchObject({ required: false });
    expect(paths.patch?.requestBody).toMatchObject({ required: true });
  });

  it('request bodies and the schemas nested in them refuse undeclared fields; maps and answers are left open', () => {
    const schemas = withClosedRequestBodies(document()).components!.schemas!;
    expect(schemas.RunDto).toMatchObject({ additionalProperties: false, properties: { parameters: { additionalProperties: true } } });
    expect(schemas.MachineDto).toMatchObject({ additionalProperties: false });
    expect(schemas.AnswerDto).not.toHaveProperty('additionalProperties');
  });
});
