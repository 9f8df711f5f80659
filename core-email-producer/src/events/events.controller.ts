import { Controller, Get, HttpException, HttpStatus, Res, UseGuards } from '@nestjs/common';
import {
  ApiBearerAuth,
  ApiOkResponse,
  ApiOperation,
  ApiProduces,
  ApiTags,
  ApiTooManyRequestsResponse,
  ApiUnauthorizedResponse,
} from '@nestjs/swagger';
import type { Response } from 'express';
import { CurrentUser } from '../auth/current-user.decorator';
import { JwtAuthGuard } from '../auth/jwt-auth.guard';
import type { SessionUser } from '../auth/session-user';
import { EventStreams, MAX_STREAMS_PER_USER } from './event-streams';
import { openEventStream } from './event-stream';

/** Live events of the caller's own mailbox, as Server-Sent Events. */
@ApiTags('events')
@ApiBearerAuth()
@ApiUnauthorizedResponse({ description: 'missing, invalid, expired or revoked session' })
@UseGuards(JwtAuthGuard)
@Controller('events')
export class EventsController {
  constructor(private readonly streams: EventStreams) {}

  @Get()
  @ApiOperation({
    summary: 'Server-Sent Events of your mailbox',
    description:
      'A text/event-stream that stays open. Events: `sync` (sync progress: runId, status ' +
      'running|finished|failed|stuck, done, total, folders[{folderId,name,done,total}], error?, at) and ' +
      '`mail` (mailbox changed: created[], updated[], deleted[] message ids, at); a comment line every ' +
      '15 s keeps proxies from closing it. Only your own events are sent. Read it with fetch and the ' +
      'Authorization header (EventSource cannot send one, and a token never goes in a URL).',
  })
  @ApiProduces('text/event-stream')
  @ApiOkResponse({ description: 'the event stream', schema: { type: 'string' } })
  @ApiTooManyRequestsResponse({ description: `more than ${MAX_STREAMS_PER_USER} streams open` })
  events(@CurrentUser() user: SessionUser, @Res() res: Response): void {
    const stream = openEventStream(res);
    if (!this.streams.add(user.userId, stream)) {
      throw new HttpException('too many open event streams', HttpStatus.TOO_MANY_REQUESTS);
    }
    // The stream ends only when the browser goes away (or the server stops): then it is forgotten.
    res.on('close', () => {
      stream.close();
      this.streams.remove(user.userId, stream);
    });
    stream.start();
  }
}
