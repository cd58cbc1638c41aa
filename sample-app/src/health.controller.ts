import { Controller, Get } from '@nestjs/common';
import { Public } from 'nestjs-tinyauth';

/**
 * For load balancers and orchestrators. `@Public()` exempts it from the global guard: without it the guard would
 * deny it (fail closed), as it denies every handler that has neither `@RequireAction` nor `@Public`.
 */
@Controller('health')
@Public()
export class HealthController {
  @Get()
  check(): { status: 'ok' } {
    return { status: 'ok' };
  }
}
