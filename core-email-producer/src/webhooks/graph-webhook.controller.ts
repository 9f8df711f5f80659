import { applyDecorators, Controller, Post, Query, Req, Res } from '@nestjs/common';
import { GRAPH_WEBHOOK_CONTROLLER, GraphWebhookKind } from '@core-email/contracts';
import {
  ApiAcceptedResponse,
  ApiBadRequestResponse,
  ApiBody,
  ApiOkResponse,
  ApiOperation,
  ApiPayloadTooLargeResponse,
  ApiProduces,
  ApiQuery,
  ApiServiceUnavailableResponse,
  ApiTags,
} from '@nestjs/swagger';
import type { Response } from 'express';
import { WebhookRequest } from './webhook-body';
import { webhookMetrics } from './webhook-metrics';
import {
  GraphWebhookService,
  MalformedNotificationError,
  NotificationsNotQueuedError,
  WEBHOOK_RETRY_AFTER_SECONDS,
} from './graph-webhook.service';

/** Graph's handshake tokens are ~100 characters; anything far longer is not Graph. */
const MAX_VALIDATION_TOKEN = 1_024;

const ENVELOPE_DOC = {
  description:
    "Graph's notification collection: `{ value: [{ subscriptionId, clientState, changeType, resource, resourceData: { id }, " +
    'subscriptionExpirationDateTime, tenantId or organizationId, ... }] }`, or lifecycle items with `lifecycleEvent` instead of `changeType`; unknown fields are ignored. ' +
    'At most 1 MB.',
  schema: { type: 'object', properties: { value: { type: 'array', items: { type: 'object' } } } },
};

/**
 * Microsoft Graph's webhook: no session (Graph cannot hold one); each notification item proves itself with
 * its subscription's clientState. Answers never say which items were accepted or why any were not.
 */
/** What both webhook URLs take and answer (they follow the same rules). */
function WebhookAnswers(): MethodDecorator {
  return applyDecorators(
    ApiQuery({ name: 'validationToken', required: false }),
    ApiBody(ENVELOPE_DOC),
    ApiProduces('text/plain'),
    ApiOkResponse({ description: 'validation handshake: the decoded token, text/plain' }),
    ApiAcceptedResponse({ description: 'received (says nothing about which items were genuine)' }),
    ApiBadRequestResponse({
      description: 'not a notification collection, or a token on a non-handshake request',
    }),
    ApiPayloadTooLargeResponse({ description: 'body over 1 MB' }),
    ApiServiceUnavailableResponse({ description: 'could not queue the notifications now; Graph retries' }),
  );
}

@ApiTags('webhooks')
@Controller(GRAPH_WEBHOOK_CONTROLLER)
export class GraphWebhookController {
  constructor(private readonly webhook: GraphWebhookService) {}

  @Post('notifications' satisfies GraphWebhookKind)
  @ApiOperation({
    summary: 'Graph change notifications (and the subscription validation handshake)',
    description:
      'With `?validationToken=` and an empty body: 200 text/plain echoing the decoded token. Otherwise each item ' +
      "whose subscription is ours and whose clientState matches is queued for its owner's mailbox; other items are " +
      'dropped and counted. 202 once Kafka acknowledged; 503 with Retry-After when it could not within 2.5 s ' +
      '(Graph retries; nothing of that request is sent later).',
  })
  @WebhookAnswers()
  notifications(@Req() req: WebhookRequest, @Res() res: Response, @Query('validationToken') token?: unknown) {
    return this.handle(req, res, token);
  }

  @Post('lifecycle' satisfies GraphWebhookKind)
  @ApiOperation({
    summary:
      'Graph lifecycle notifications (reauthorizationRequired, subscriptionRemoved, missed) and the handshake',
    description: 'Same rules and answers as the notifications URL.',
  })
  @WebhookAnswers()
  lifecycle(@Req() req: WebhookRequest, @Res() res: Response, @Query('validationToken') token?: unknown) {
    return this.handle(req, res, token);
  }

  private async handle(req: WebhookRequest, res: Response, token: unknown): Promise<void> {
    const body = req.rawBody ?? Buffer.alloc(0);
    if (token !== undefined) {
      // A handshake has an empty body and one token. A token beside notifications is not Graph: refuse both.
      if (body.length > 0 || typeof token !== 'string' || token.length > MAX_VALIDATION_TOKEN) {
        webhookMetrics.drop('token_with_body');
        res.status(400).end();
        return;
      }
      // The query parser already decoded it (%20 and + alike). nosniff: the echo can never render as a page.
      res.status(200).type('text/plain').setHeader('X-Content-Type-Options', 'nosniff').send(token);
      return;
    }
    try {
      await this.webhook.accept(body);
      res.status(202).end();
    } catch (error) {
      if (error instanceof MalformedNotificationError) res.status(400).end();
      else if (error instanceof NotificationsNotQueuedError)
        res.status(503).setHeader('Retry-After', String(WEBHOOK_RETRY_AFTER_SECONDS)).end();
      else throw error;
    }
  }
}
