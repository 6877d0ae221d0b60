import { Logger, type DynamicModule, type INestApplication, type LoggerService, type Type } from '@nestjs/common';
import { NestFactory, Reflector } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import type { Server } from 'node:net';
import { boundPort, listeningLine } from '@cairn/telemetry';
import type { NextFunction, Request, Response } from 'express';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import { refuseUndeclaredMethods } from './methods';
import { ProblemDto, withClosedRequestBodies, withOptionalBodies, withProblemAnswers } from './openapi';
import { ProblemFilter } from './problem.filter';
import { limitByAddress, RequestBuckets, trustedProxiesFrom } from './rate-limits';
import { observeRequests, reenterRequestContext } from './request-telemetry';
import { BodyMediaTypeGuard, bodyProblems, JSON_MEDIA_TYPES, refuseDeepJson, refuseReservedKeys } from './request-body';
import { createValidationPipe } from './validation';

export interface ServiceAppOptions {
  /** Service name, for logs and the OpenAPI title. */
  name: string;
  /** Largest JSON body accepted. */
  bodyLimit?: string;
  logger?: false | ('log' | 'error' | 'warn' | 'debug' | 'verbose')[] | LoggerService;
  /** Requests a minute (and in one burst) per client address, in this process; 0 or unset: no limit. */
  requestsPerMinutePerAddress?: number;
  /** Peers whose `X-Forwarded-For` names the client (`CAIRN_TRUSTED_PROXIES`); unset: none, the peer is the client. */
  trustedProxies?: string;
}

/**
 * An API answer is data, never a page: were one opened in a browser (a file's content, an SVG or HTML
 * output above all), it runs no script, loads nothing and cannot be framed, and its type is not guessed.
 */
function apiAnswersAreNoPages(request: Request, response: Response, next: NextFunction): void {
  if (request.path.startsWith('/api')) {
    response.setHeader('Content-Security-Policy', "default-src 'none'; frame-ancestors 'none'; sandbox");
    response.setHeader('X-Content-Type-Options', 'nosniff');
  }
  next();
}

/**
 * Builds a service's Nest app with the shared conventions: /api prefix, problem+json, validation, /docs,
 * a rate limit per client address, and for every request a trace span, its correlation, a latency metric and one log line.
 */
export async function createServiceApp(module: Type<unknown> | DynamicModule, options: ServiceAppOptions): Promise<INestApplication> {
  const app = await NestFactory.create<NestExpressApplication>(module, {
    bodyParser: false,
    logger: options.logger ?? ['log', 'error', 'warn'],
  });
  // Express's ETag is a hash of the body; an ETag here is a version (versions.ts), sent only where there is one.
  app.set('etag', false);
  app.set('trust proxy', trustedProxiesFrom(options.trustedProxies));
  app.use(observeRequests());
  app.use(apiAnswersAreNoPages);
  // Before the body is read or the token checked: a flood costs as little as it can.
  app.use(limitByAddress(new RequestBuckets(options.requestsPerMinutePerAddress ?? 0)));
  app.useBodyParser('json', { limit: options.bodyLimit ?? '1mb', type: JSON_MEDIA_TYPES, verify: refuseDeepJson });
  app.use(reenterRequestContext());
  app.use(refuseReservedKeys);
  app.use(bodyProblems);
  app.setGlobalPrefix('api', { exclude: ['health/live', 'health/ready', 'metrics'] });
  // Before authentication: the answer to a body of the wrong type does not depend on who sends it.
  app.useGlobalGuards(new BodyMediaTypeGuard(app.get(Reflector)));
  app.useGlobalPipes(createValidationPipe());
  app.useGlobalFilters(new ProblemFilter());
  const document = withClosedRequestBodies(
    withOptionalBodies(
      withProblemAnswers(
        SwaggerModule.createDocument(app, new DocumentBuilder().setTitle(`Cairn ${options.name}`).setVersion('1').addBearerAuth().build(), {
          extraModels: [ProblemDto],
        }),
      ),
    ),
  );
  SwaggerModule.setup('docs', app, document, { jsonDocumentUrl: 'docs/openapi.json' });
  app.use(refuseUndeclaredMethods(document));
  return app;
}

/**
 * Listens and says where, with the port it got: with `PORT=0` the kernel picks one, and whoever started
 * the process (the local platform, tests) reads it from this line (`listeningUrlIn`).
 */
export async function listen(app: INestApplication, port: number, host = '127.0.0.1'): Promise<void> {
  await app.listen(port, host);
  new Logger('Bootstrap').log(listeningLine(host, boundPort(app.getHttpServer() as Server) ?? port));
}
