import type { DynamicModule } from '@nestjs/common';
import { AuthorizationModule, type AuthorizationProjection } from '@cairn/auth';
import { CairnHttpModule } from '@cairn/http';
import type { ServiceRuntime } from './service-runtime';

/**
 * The HTTP conventions of a service that authorizes with an authorization model it keeps, and
 * `@Requires` / `Authorizer` over that model: a read with `Cairn-Min-Position` waits for the service's
 * read models and for the model that filters them, and the service is ready once the model has caught up.
 */
export function authorizedHttpModules(runtime: ServiceRuntime, authorization: AuthorizationProjection): DynamicModule[] {
  return [
    CairnHttpModule.forRoot(runtime.httpOptionsWith(authorization)),
    AuthorizationModule.forRoot(authorization, { waitTimeoutMs: runtime.config.minPositionTimeoutMs }),
  ];
}
