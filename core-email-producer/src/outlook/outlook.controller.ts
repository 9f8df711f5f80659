import { Controller, Delete, Get, HttpCode, Post, Res, UseGuards } from '@nestjs/common';
import type { Response } from 'express';
import {
  ApiBearerAuth,
  ApiNoContentResponse,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
  ApiUnauthorizedResponse,
} from '@nestjs/swagger';
import { CurrentUser } from '../auth/current-user.decorator';
import { JwtAuthGuard } from '../auth/jwt-auth.guard';
import type { SessionUser } from '../auth/session-user';
import { OutlookAccountsService } from './outlook-accounts.service';
import { OutlookConnectService, STATE_TTL_SECONDS } from './outlook-connect.service';
import { ConnectStartedDto, OutlookConnectionDto } from './outlook.dto';

/** The caller's own Outlook connection. Every route acts on the session's user only. */
@ApiTags('outlook')
@ApiBearerAuth()
@ApiUnauthorizedResponse({ description: 'missing, invalid, expired or revoked session' })
@UseGuards(JwtAuthGuard)
@Controller('outlook')
export class OutlookController {
  constructor(
    private readonly accounts: OutlookAccountsService,
    private readonly connect: OutlookConnectService,
  ) {}

  @Get()
  @ApiOperation({ summary: 'Connection state of your Outlook mailbox' })
  @ApiOkResponse({ type: OutlookConnectionDto })
  connection(@CurrentUser() user: SessionUser): Promise<OutlookConnectionDto> {
    return this.accounts.connectionOf(user.userId);
  }

  @Post('connect')
  @HttpCode(200)
  @ApiOperation({
    summary: 'Start connecting Outlook',
    description:
      "Returns Microsoft's sign-in URL (PKCE, single-use state bound to this session, 10 minutes) and sets an " +
      'HttpOnly cookie binding the connect to this browser (call it with credentials). Microsoft ' +
      'sends the browser back to GET /api/user/outlook/redirect, which ends on the dashboard.',
  })
  @ApiOkResponse({ type: ConnectStartedDto })
  async start(
    @CurrentUser() user: SessionUser,
    @Res({ passthrough: true }) res: Response,
  ): Promise<ConnectStartedDto> {
    const { authorizeUrl, browserNonce } = await this.connect.start(user);
    const cookie = this.connect.bindingCookie(STATE_TTL_SECONDS * 1000);
    res.cookie(cookie.name, browserNonce, cookie.options);
    return { authorizeUrl };
  }

  @Delete()
  @HttpCode(204)
  @ApiOperation({ summary: 'Disconnect Outlook', description: 'Removes the tokens; the mail copy stays.' })
  @ApiNoContentResponse({ description: 'disconnected (or nothing was connected)' })
  async disconnect(@CurrentUser() user: SessionUser): Promise<void> {
    await this.accounts.disconnect(user.userId);
  }
}
