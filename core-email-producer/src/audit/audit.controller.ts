import { Controller, Get, HttpCode, Post, UseGuards } from '@nestjs/common';
import {
  ApiBadRequestResponse,
  ApiBearerAuth,
  ApiConflictResponse,
  ApiOkResponse,
  ApiOperation,
  ApiResponse,
  ApiTags,
  ApiUnauthorizedResponse,
} from '@nestjs/swagger';
import { ApiZodBody, ZodBody, ZodQuery } from '@core-email/platform';
import { CurrentUser } from '../auth/current-user.decorator';
import { JwtAuthGuard } from '../auth/jwt-auth.guard';
import type { SessionUser } from '../auth/session-user';
import { AuditRequestedView, AuditStatusView } from './audit.dto';
import { auditQuerySchema, requestAuditBodySchema } from './audit.schemas';
import { AuditRequestsService } from './audit-requests.service';

/** The completeness audit of the caller's own mailbox: ask for one, read the latest result. */
@ApiTags('mail')
@ApiBearerAuth()
@ApiUnauthorizedResponse({ description: 'missing, invalid, expired or revoked session' })
@UseGuards(JwtAuthGuard)
@Controller('mail/audit')
export class AuditController {
  constructor(private readonly audits: AuditRequestsService) {}

  @Post()
  @HttpCode(202)
  @ApiOperation({
    summary: 'Check now that your copy equals your mailbox',
    description:
      'Queues a completeness audit: every folder is compared with Outlook by message id and change key, ' +
      'and what differs is repaired. At most one requested audit is pending per mailbox: asking again ' +
      'while one is pending answers 202 with that one (`alreadyPending: true`). The result appears in ' +
      'GET /api/mail/audit.',
  })
  @ApiZodBody(requestAuditBodySchema)
  @ApiResponse({ status: 202, type: AuditRequestedView })
  @ApiBadRequestResponse({ description: 'a body with any field, or malformed JSON' })
  @ApiConflictResponse({
    description: 'no mailbox is connected (never, disconnected or reauth_required)',
  })
  request(
    @CurrentUser() user: SessionUser,
    @ZodBody(requestAuditBodySchema) _body: Record<string, never>,
  ): Promise<AuditRequestedView> {
    return this.audits.request(user.userId);
  }

  @Get()
  @ApiOperation({
    summary: 'The latest completeness audit of your mailbox',
    description:
      'Per folder: when it was checked, messages stored and at Outlook, missing, extra, stale and ' +
      'repaired, and its status; plus when the mailbox was last proven complete and any pending request.',
  })
  @ApiOkResponse({ type: AuditStatusView })
  @ApiBadRequestResponse({ description: 'any query parameter' })
  status(
    @CurrentUser() user: SessionUser,
    @ZodQuery(auditQuerySchema) _query: Record<string, never>,
  ): Promise<AuditStatusView> {
    return this.audits.status(user.userId);
  }
}
