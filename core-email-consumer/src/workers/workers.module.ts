import { Module } from '@nestjs/common';
import { TOPIC_HANDLERS } from './topic-handler';
import { WorkerMetrics } from './worker-metrics';
import { WorkersService } from './workers.service';

/** Later features register their handlers here (sync, subscriptions, notifications). */
@Module({
  providers: [{ provide: TOPIC_HANDLERS, useValue: [] }, WorkerMetrics, WorkersService],
})
export class WorkersModule {}
