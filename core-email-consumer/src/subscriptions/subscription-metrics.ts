import { Injectable } from '@nestjs/common';
import { counterMetric } from '@core-email/platform';

type Operation = 'create' | 'renew' | 'reauthorize';

@Injectable()
export class SubscriptionMetrics {
  private readonly failures = counterMetric({
    name: 'core_email_subscription_failures_total',
    help: 'Graph subscription creations, renewals and reauthorizations that failed',
    labelNames: ['operation'],
  });
  private readonly successes = counterMetric({
    name: 'core_email_subscription_operations_total',
    help: 'Graph subscription creations, renewals and reauthorizations that succeeded',
    labelNames: ['operation'],
  });

  failed(operation: Operation): void {
    this.failures.inc({ operation });
  }

  succeeded(operation: Operation): void {
    this.successes.inc({ operation });
  }
}
