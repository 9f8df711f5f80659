import { counterMetric } from '@core-email/platform';

export type DropReason =
  'too_large' | 'malformed' | 'token_with_body' | 'unknown_subscription' | 'bad_client_state';

/** Module-level: the body-size middleware runs before Nest's injector is involved. */
export const webhookMetrics = {
  dropped: counterMetric({
    name: 'core_email_webhook_notifications_dropped_total',
    help: 'Graph webhook requests or items refused and never processed, by reason',
    labelNames: ['reason'],
  }),
  accepted: counterMetric({
    name: 'core_email_webhook_notifications_accepted_total',
    help: 'Graph notification items published to update_email_subscription',
    labelNames: ['kind'],
  }),
  drop(reason: DropReason, count = 1): void {
    this.dropped.inc({ reason }, count);
  },
};
