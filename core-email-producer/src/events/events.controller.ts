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
import { StreamSessions } from './stream-sessions';

/** Live events of the caller's own mailbox, as Server-Sent Events. */
@ApiTags('events')
@ApiBearerAuth()
@ApiUnauthorizedResponse({ description: 'missing, invalid, expired or revoked session' })
@UseGuards(JwtAuthGuard)
@Controller('events')
export class EventsController {
  constructor(
    private readonly streams: EventStreams,
    private readonly sessions: StreamSessions,
  ) {}

  @Get()
  @ApiOperation({
    summary: 'Server-Sent Events of your mailbox',
    description:
      'A text/event-stream that stays open. Events: `sync` (sync progress: runId, status ' +
      'running|finished|failed|stuck, done, total, folders[{folderId,name,done,total}], error?, at) and ' +
      '`mail` (mailbox changed: created[], updated[], deleted[] message ids, at); a comment line every ' +
      '15 s keeps proxies from closing it. The stream ends when the session does (log-out, password change, ' +
      'deleted account: within 5 s; token expiry). Only your own events are sent. Read it with fetch and the ' +
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
    // It ends when the browser goes away, the server stops, or the session ends (log-out, password change,
    // deleted account, token expiry): then it is forgotten.
    const unwatch = this.sessions.watch(user, () => stream.close());
    res.on('close', () => {
      unwatch();
      stream.close();
      this.streams.remove(user.userId, stream);
    });
    stream.start();
  }
}
