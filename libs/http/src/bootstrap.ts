import { Logger, type DynamicModule, type INestApplication, type Type } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import type { NextFunction, Request, Response } from 'express';
import { ProblemDto, withProblemAnswers } from './openapi';
import { problem, PROBLEM_CONTENT_TYPE } from './problem';
import { ProblemFilter } from './problem.filter';
import { createValidationPipe } from './validation';

export interface ServiceAppOptions {
  /** Service name, for logs and the OpenAPI title. */
  name: string;
  /** Largest JSON body accepted. */
  bodyLimit?: string;
  logger?: false | ('log' | 'error' | 'warn' | 'debug' | 'verbose')[];
}

/** A body the JSON parser cannot read is a 400 problem like any other bad input, not an HTML page. */
function bodyParserProblems(error: Error & { status?: number; type?: string }, _req: Request, res: Response, next: NextFunction) {
  if (!error.status) return next(error);
  const detail =
    error.type === 'entity.parse.failed' ? 'The request body is not valid JSON.'
    : error.type === 'entity.too.large' ? 'The request body is too large.'
    : error.message;
  res.status(error.status).type(PROBLEM_CONTENT_TYPE).send(JSON.stringify(problem(error.status, detail, { rule: 'request.body' })));
}

/** Builds a service's Nest app with the shared conventions: /api prefix, problem+json, validation, /docs. */
export async function createServiceApp(module: Type<unknown> | DynamicModule, options: ServiceAppOptions): Promise<INestApplication> {
  const app = await NestFactory.create<NestExpressApplication>(module, {
    bodyParser: false,
    logger: options.logger ?? ['log', 'error', 'warn'],
  });
  // Express's ETag is a hash of the body; an ETag here is a version (versions.ts), sent only where there is one.
  app.set('etag', false);
  app.useBodyParser('json', { limit: options.bodyLimit ?? '1mb', type: ['application/json', 'application/*+json'] });
  app.use(bodyParserProblems);
  app.setGlobalPrefix('api', { exclude: ['health/live', 'health/ready'] });
  app.useGlobalPipes(createValidationPipe());
  app.useGlobalFilters(new ProblemFilter());
  const document = withProblemAnswers(
    SwaggerModule.createDocument(app, new DocumentBuilder().setTitle(`Cairn ${options.name}`).setVersion('1').addBearerAuth().build(), {
      extraModels: [ProblemDto],
    }),
  );
  SwaggerModule.setup('docs', app, document, { jsonDocumentUrl: 'docs/openapi.json' });
  return app;
}

export async function listen(app: INestApplication, port: number, host = '127.0.0.1'): Promise<void> {
  await app.listen(port, host);
  new Logger('Bootstrap').log(`listening on http://${host}:${port}`);
}
