import { Controller, Get, HttpCode, NotFoundException, Param, Post, UseGuards } from '@nestjs/common';
import { QueryBus } from '@nestjs/cqrs';
import {
  ApiBadRequestResponse,
  ApiBearerAuth,
  ApiConflictResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiParam,
  ApiQuery,
  ApiResponse,
  ApiTags,
  ApiUnauthorizedResponse,
} from '@nestjs/swagger';
import { ApiZodBody, ZodBody, ZodQuery, ZodValidationPipe } from '@core-email/platform';
import { CurrentUser } from '../auth/current-user.decorator';
import { JwtAuthGuard } from '../auth/jwt-auth.guard';
import type { SessionUser } from '../auth/session-user';
import { FolderListView, ResyncStartedView, SyncStatusView } from './mailbox.dto';
import {
  DEFAULT_PAGE_SIZE,
  ListMessagesQueryInput,
  listMessagesQuerySchema,
  MAX_PAGE_SIZE,
  messageParamsSchema,
  ResyncInput,
  resyncBodySchema,
} from './mail.schemas';
import { MessagePageView, MessageView } from './message.dto';
import { GetMessageQuery } from './queries/get-message.query';
import { GetSyncStatusQuery } from './queries/get-sync-status.query';
import { ListFoldersQuery } from './queries/list-folders.query';
import { ListMessagesQuery } from './queries/list-messages.query';
import { ResyncService } from './resync.service';

/** The caller's own mail copy. Every query is scoped to the session's user in SQL. */
@ApiTags('mail')
@ApiBearerAuth()
@ApiUnauthorizedResponse({ description: 'missing, invalid, expired or revoked session' })
@UseGuards(JwtAuthGuard)
@Controller('mail')
export class MailController {
  constructor(
    private readonly queries: QueryBus,
    private readonly resyncs: ResyncService,
  ) {}

  @Get('messages')
  @ApiOperation({
    summary: 'Your messages, newest first (keyset pages)',
    description:
      "Ordered by received time then row, newest first. Pass the previous page's `nextCursor` as `cursor`. " +
      'An unknown `folderId` gives an empty page (a folder can appear with the next sync).',
  })
  @ApiQuery({ name: 'folderId', required: false, type: String, description: "a folder's Graph id" })
  @ApiQuery({
    name: 'limit',
    required: false,
    schema: { type: 'integer', minimum: 1, maximum: MAX_PAGE_SIZE, default: DEFAULT_PAGE_SIZE },
  })
  @ApiQuery({
    name: 'cursor',
    required: false,
    type: String,
    description: 'opaque; the `nextCursor` of the previous page',
  })
  @ApiOkResponse({ type: MessagePageView })
  @ApiBadRequestResponse({ description: 'a malformed limit, folderId or cursor; the message names it' })
  messages(
    @CurrentUser() user: SessionUser,
    @ZodQuery(listMessagesQuerySchema) q: ListMessagesQueryInput,
  ): Promise<MessagePageView> {
    return this.queries.execute(new ListMessagesQuery(user.userId, q.limit, q.folderId, q.cursor));
  }

  @Get('messages/:id')
  @ApiOperation({ summary: 'One of your messages in full (body, cc, bcc, categories, links, times)' })
  @ApiParam({ name: 'id', description: "the message's Graph id" })
  @ApiOkResponse({ type: MessageView })
  @ApiNotFoundResponse({
    description: 'no message of yours has this id (whether or not someone else has one)',
  })
  async message(
    @CurrentUser() user: SessionUser,
    @Param(new ZodValidationPipe(messageParamsSchema)) params: { id: string },
  ): Promise<MessageView> {
    const found = await this.queries.execute(new GetMessageQuery(user.userId, params.id));
    if (!found) throw new NotFoundException('no such message');
    return found;
  }

  @Get('folders')
  @ApiOperation({ summary: 'Your mail folders with their counts' })
  @ApiOkResponse({ type: FolderListView })
  folders(@CurrentUser() user: SessionUser): Promise<FolderListView> {
    return this.queries.execute(new ListFoldersQuery(user.userId));
  }

  @Get('sync')
  @ApiOperation({ summary: 'Your mailbox connection and its latest sync run' })
  @ApiOkResponse({ type: SyncStatusView })
  sync(@CurrentUser() user: SessionUser): Promise<SyncStatusView> {
    return this.queries.execute(new GetSyncStatusQuery(user.userId));
  }

  @Post('resync')
  @HttpCode(202)
  @ApiOperation({
    summary: 'Sync your mailbox now',
    description:
      "Incremental (from each folder's delta link) unless `mode` is `full`. Accepted while a run is still " +
      'going: the runs are done one after the other.',
  })
  @ApiZodBody(resyncBodySchema)
  @ApiResponse({ status: 202, type: ResyncStartedView })
  @ApiBadRequestResponse({ description: 'an unknown mode or field' })
  @ApiConflictResponse({
    description: 'the mailbox is not connected (never, disconnected or reauth_required)',
  })
  resync(
    @CurrentUser() user: SessionUser,
    @ZodBody(resyncBodySchema) body: ResyncInput,
  ): Promise<ResyncStartedView> {
    return this.resyncs.resync(user.userId, body.mode);
  }
}
