import { Injectable } from '@nestjs/common';
import { Counter, register } from 'prom-client';

function counter(name: string, help: string): Counter<'topic'> {
  // A second app instance in one process (tests) must reuse the registered metric, not register it twice.
  return (
    (register.getSingleMetric(name) as Counter<'topic'>) ?? new Counter({ name, help, labelNames: ['topic'] })
  );
}

@Injectable()
export class WorkerMetrics {
  private readonly processedTotal = counter(
    'core_email_messages_processed_total',
    'Kafka messages handled successfully',
  );
  private readonly deadLettersTotal = counter(
    'core_email_dead_letters_total',
    'Kafka messages sent to a dead-letter topic',
  );

  processed(topic: string): void {
    this.processedTotal.inc({ topic });
  }

  deadLetter(topic: string): void {
    this.deadLettersTotal.inc({ topic });
  }
}
