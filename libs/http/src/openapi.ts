import type { Type } from '@nestjs/common';
import { ApiProperty, ApiPropertyOptional, getSchemaPath, type OpenAPIObject, type ReferenceObject, type SchemaObject } from '@nestjs/swagger';
import { PROBLEM_CONTENT_TYPE } from './problem';

/**
 * What the OpenAPI documents say about answers, so that clients generated from them (the console's)
 * are typed end to end: the item and page shapes, and the one error shape every operation can answer.
 */

export class FieldErrorDto {
  @ApiProperty({ example: 'name' })
  field!: string;

  @ApiProperty({ example: 'must not be blank' })
  message!: string;
}

/** RFC 9457 problem details, as `problem()` builds them; a refusal's own details come as further members. */
export class ProblemDto {
  @ApiProperty({ example: 'urn:cairn:problem:validation' })
  type!: string;

  @ApiProperty({ example: 'Bad Request' })
  title!: string;

  @ApiProperty({ example: 400 })
  status!: number;

  @ApiProperty()
  detail!: string;

  @ApiPropertyOptional({ description: 'The id of the rule that refused, e.g. facility.member-adds-viewers.' })
  rule?: string;

  @ApiPropertyOptional({ type: [FieldErrorDto], description: 'Bad input: each field and what is wrong with it.' })
  errors?: FieldErrorDto[];

  @ApiPropertyOptional({ nullable: true, type: Number, description: 'A stale version (409, 412): the version it is at now.' })
  currentVersion?: number | null;
}

/**
 * `{ items, nextCursor }` of `item`, as a named schema (`<Item>Page`, the item's name without `Dto`), for
 * `@ApiOkResponse({ type: PageOf(ItemDto) })`. One class per item type, so each name is declared once.
 */
const pages = new Map<Type<unknown>, Type<unknown>>();
export function PageOf<T>(item: Type<T>): Type<{ items: T[]; nextCursor: string | null }> {
  const known = pages.get(item);
  if (known) return known as Type<{ items: T[]; nextCursor: string | null }>;
  class Page {
    @ApiProperty({ type: [item] })
    items!: T[];

    @ApiProperty({ type: String, nullable: true, description: 'Opaque: pass as cursor for the next page; null on the last.' })
    nextCursor!: string | null;
  }
  Object.defineProperty(Page, 'name', { value: `${item.name.replace(/Dto$/, '')}Page` });
  pages.set(item, Page);
  return Page;
}

const METHODS = ['get', 'put', 'post', 'delete', 'patch'] as const;

/** Every operation may answer a problem document (401 at least); the document says so once per operation. */
export function withProblemAnswers(document: OpenAPIObject): OpenAPIObject {
  const problem = { description: 'A problem document: bad input names its fields, a refusal its rule.', content: { [PROBLEM_CONTENT_TYPE]: { schema: { $ref: getSchemaPath(ProblemDto) } } } };
  for (const path of Object.values(document.paths)) {
    for (const method of METHODS) {
      const operation = path[method];
      if (operation && !operation.responses.default) operation.responses.default = problem;
    }
  }
  return document;
}

/**
 * Request bodies refuse what they do not declare (the validation pipe's `forbidNonWhitelisted`): their
 * schemas, and the schemas nested in them, say `additionalProperties: false`, unless they declare a map.
 */
export function withClosedRequestBodies(document: OpenAPIObject): OpenAPIObject {
  const schemas = document.components?.schemas ?? {};
  const closed = new Set<string>();
  const close = (schema: SchemaObject | ReferenceObject | undefined): void => {
    if (!schema) return;
    if ('$ref' in schema) {
      const name = schema.$ref.replace('#/components/schemas/', '');
      if (closed.has(name)) return;
      closed.add(name);
      return close(schemas[name]);
    }
    if (schema.properties) {
      schema.additionalProperties ??= false;
      Object.values(schema.properties).forEach(close);
    }
    if (schema.items) close(schema.items);
    schema.allOf?.forEach(close);
  };
  for (const path of Object.values(document.paths)) {
    for (const method of METHODS) {
      const body = path[method]?.requestBody;
      if (body && !('$ref' in body)) close(body.content['application/json']?.schema);
    }
  }
  return document;
}

/**
 * A body none of whose fields is required may be left out: the validation takes no body as `{}` (a
 * deletion without `expectedVersion`, for one). Nest documents every `@Body()` as required; this says
 * what is accepted.
 */
export function withOptionalBodies(document: OpenAPIObject): OpenAPIObject {
  const schemas = document.components?.schemas ?? {};
  const resolved = (schema: SchemaObject | ReferenceObject | undefined): SchemaObject | undefined =>
    schema && '$ref' in schema ? (schemas[schema.$ref.replace('#/components/schemas/', '')] as SchemaObject | undefined) : schema;
  for (const path of Object.values(document.paths)) {
    for (const method of METHODS) {
      const body = path[method]?.requestBody;
      if (!body || '$ref' in body || !body.required) continue;
      const schema = resolved(body.content['application/json']?.schema);
      if (schema?.properties && !schema.required?.length) body.required = false;
    }
  }
  return document;
}
