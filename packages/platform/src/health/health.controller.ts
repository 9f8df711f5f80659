import { Controller, Get } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { HealthCheck, HealthCheckService } from '@nestjs/terminus';
import { InfraHealth } from './infra-health';

@ApiTags('health')
@Controller('health')
export class HealthController {
  constructor(
    private readonly health: HealthCheckService,
    private readonly infra: InfraHealth,
  ) {}

  @Get()
  @HealthCheck()
  @ApiOperation({
    summary: 'PostgreSQL primary and replica, Redis cluster and Kafka, each up or down (503 if any is down)',
  })
  check() {
    return this.health.check(this.infra.checks());
  }
}
