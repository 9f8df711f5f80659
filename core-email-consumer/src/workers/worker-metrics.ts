import { Injectable } from '@nestjs/common';
import { counterMetric } from '@core-email/platform';

@Injectable()
export class WorkerMetrics {
  private readonly processedTotal = counterMetric({
    name: 'core_email_messages_processed_total',
    help: 'Kafka messages handled successfully',
    labelNames: ['topic'],
  });
  private readonly deadLettersTotal = counterMetric({
    name: 'core_email_dead_letters_total',
    help: 'Kafka messages sent to a dead-letter topic',
    labelNames: ['topic'],
  });

  processed(topic: string): void {
    this.processedTotal.inc({ topic });
  }

  deadLetter(topic: string): void {
    this.deadLettersTotal.inc({ topic });
  }
}
