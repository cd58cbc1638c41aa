import type { IncomingMessage, ServerResponse } from 'node:http';
import { Controller, Get, Req, Res } from '@nestjs/common';
import { Public } from 'nestjs-tinyauth';
import { prometheus } from './telemetry';

/**
 * Prometheus scrapes `/metrics`: the `tinyauth_*` metrics (decisions, durations, tinyauth reachable) in its text
 * format. Public here to keep the demo simple; in production keep it off the public network or guard it.
 */
@Controller('metrics')
@Public()
export class MetricsController {
  @Get()
  scrape(@Req() req: IncomingMessage, @Res() res: ServerResponse): void {
    prometheus.getMetricsRequestHandler(req, res);
  }
}
