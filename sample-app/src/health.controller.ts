import { Controller, Get } from '@nestjs/common';
import { HealthCheck, HealthCheckService, type HealthCheckResult } from '@nestjs/terminus';
import { Public } from 'nestjs-tinyauth';
import { TinyauthHealthIndicator } from 'nestjs-tinyauth/terminus';

/**
 * For load balancers and orchestrators: Terminus with tinyauth's indicator (503 when tinyauth cannot be used).
 * `@Public()` exempts it from the global guard: without it the guard would deny it (fail closed), as it denies every
 * handler that has neither `@RequireAction` nor `@Public`.
 */
@Controller('health')
@Public()
export class HealthController {
  constructor(
    private readonly health: HealthCheckService,
    private readonly tinyauth: TinyauthHealthIndicator,
  ) {}

  @Get()
  @HealthCheck()
  check(): Promise<HealthCheckResult> {
    return this.health.check([() => this.tinyauth.isHealthy('tinyauth')]);
  }
}
