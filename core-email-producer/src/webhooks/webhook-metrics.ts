import { Counter, register } from 'prom-client';

export type DropReason =
  'too_large' | 'malformed' | 'token_with_body' | 'unknown_subscription' | 'bad_client_state';

function counter<L extends string>(name: string, help: string, labelNames: L[]): Counter<L> {
  // A second app instance in one process (tests) must reuse the registered metric, not register it twice.
  return (register.getSingleMetric(name) as Counter<L>) ?? new Counter({ name, help, labelNames });
}

/** Module-level: the body-size middleware runs before Nest's injector is involved. */
export const webhookMetrics = {
  dropped: counter(
    'core_email_webhook_notifications_dropped_total',
    'Graph webhook requests or items refused and never processed, by reason',
    ['reason'],
  ),
  accepted: counter(
    'core_email_webhook_notifications_accepted_total',
    'Graph notification items published to update_email_subscription',
    ['kind'],
  ),
  drop(reason: DropReason, count = 1): void {
    this.dropped.inc({ reason }, count);
  },
};
