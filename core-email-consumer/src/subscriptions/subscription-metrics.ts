import { Injectable } from '@nestjs/common';
import { Counter, register } from 'prom-client';

type Operation = 'create' | 'renew' | 'reauthorize';

function counter(name: string, help: string): Counter<'operation'> {
  // A second app instance in one process (tests) must reuse the registered metric, not register it twice.
  return (
    (register.getSingleMetric(name) as Counter<'operation'>) ??
    new Counter({ name, help, labelNames: ['operation'] })
  );
}

@Injectable()
export class SubscriptionMetrics {
  private readonly failures = counter(
    'core_email_subscription_failures_total',
    'Graph subscription creations, renewals and reauthorizations that failed',
  );
  private readonly successes = counter(
    'core_email_subscription_operations_total',
    'Graph subscription creations, renewals and reauthorizations that succeeded',
  );

  failed(operation: Operation): void {
    this.failures.inc({ operation });
  }

  succeeded(operation: Operation): void {
    this.successes.inc({ operation });
  }
}
