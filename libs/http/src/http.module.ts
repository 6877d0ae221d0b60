import { Module, type DynamicModule, type Provider } from '@nestjs/common';
import { APP_GUARD, APP_INTERCEPTOR } from '@nestjs/core';
import type { TokenVerifier } from '@cairn/auth';
import type { Db } from 'mongodb';
import { BearerAuthGuard, PRINCIPAL_RATE_LIMIT, TOKEN_VERIFIER } from './auth';
import { HealthController, READINESS_PROBES, type ReadinessProbe } from './health';
import { IDEMPOTENCY_DB, IdempotencyInterceptor } from './idempotency';
import { MetricsController } from './metrics.controller';
import { RequestBuckets } from './rate-limits';
import {
  BUS_POSITION_OF,
  CONSISTENCY_GATE,
  MIN_POSITION_TIMEOUT_MS,
  MinPositionInterceptor,
  PositionHeaderInterceptor,
  type ConsistencyGate,
} from './positions';
import { VersionHeaderInterceptor } from './versions';

export interface CairnHttpOptions {
  verifier: TokenVerifier;
  /** The service's own database, where idempotency keys are kept. */
  db: Db;
  consistency?: ConsistencyGate;
  /** The bus position (what reads wait for) of a position the event store returned. */
  busPositionOf?: (storePosition: number) => Promise<number>;
  /** How long a read with `Cairn-Min-Position` waits before 503. */
  minPositionTimeoutMs?: number;
  readiness?: ReadinessProbe[];
  /** Requests a minute (and in one burst) per principal, in this process; 0 or unset: no limit. */
  requestsPerMinutePerPrincipal?: number;
}

/** Authentication, idempotency, positions, health and metrics, the same in every service. */
@Module({})
export class CairnHttpModule {
  static forRoot(options: CairnHttpOptions): DynamicModule {
    const providers: Provider[] = [
      { provide: TOKEN_VERIFIER, useValue: options.verifier },
      { provide: IDEMPOTENCY_DB, useValue: options.db },
      { provide: READINESS_PROBES, useValue: options.readiness ?? [] },
      { provide: MIN_POSITION_TIMEOUT_MS, useValue: options.minPositionTimeoutMs ?? 2_000 },
      { provide: BUS_POSITION_OF, useValue: options.busPositionOf ?? ((position: number) => Promise.resolve(position)) },
      { provide: PRINCIPAL_RATE_LIMIT, useValue: new RequestBuckets(options.requestsPerMinutePerPrincipal ?? 0) },
      { provide: APP_GUARD, useClass: BearerAuthGuard },
      // Order matters: idempotency wraps the others so it stores the final body and position header.
      { provide: APP_INTERCEPTOR, useClass: IdempotencyInterceptor },
      { provide: APP_INTERCEPTOR, useClass: PositionHeaderInterceptor },
      { provide: APP_INTERCEPTOR, useClass: MinPositionInterceptor },
      { provide: APP_INTERCEPTOR, useClass: VersionHeaderInterceptor },
    ];
    if (options.consistency) providers.push({ provide: CONSISTENCY_GATE, useValue: options.consistency });
    return { module: CairnHttpModule, global: true, controllers: [HealthController, MetricsController], providers, exports: [TOKEN_VERIFIER] };
  }
}
