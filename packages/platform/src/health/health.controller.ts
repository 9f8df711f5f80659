import { Controller, Get, Res } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiServiceUnavailableResponse, ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import { InfraHealth, InfraReport } from './infra-health';

@ApiTags('health')
@Controller('health')
export class HealthController {
  constructor(private readonly infra: InfraHealth) {}

  @Get('live')
  @ApiOperation({
    summary:
      'Liveness: the process serves requests. Asks no dependency, so an outage of one (which readiness ' +
      'reports) never gets a healthy process restarted.',
  })
  @ApiOkResponse({ description: 'status ok' })
  live(): { status: 'ok' } {
    return { status: 'ok' };
  }

  @Get()
  @ApiOperation({
    summary:
      'Readiness: PostgreSQL primary and replica, Redis cluster and Kafka, each up or down. `degraded` (200): only a ' +
      'dependency the service can serve without is down (Kafka, for the API). `error` (503): otherwise. ' +
      'The report is at most 3 s old.',
  })
  @ApiOkResponse({ description: 'status ok or degraded; info, error and details per dependency' })
  @ApiServiceUnavailableResponse({ description: 'status error: a dependency the service needs is down' })
  async check(@Res({ passthrough: true }) res: Response): Promise<InfraReport> {
    const report = await this.infra.report();
    res.status(report.status === 'error' ? 503 : 200);
    return report;
  }
}
