import { Controller, Get, Redirect, Req, Res } from '@nestjs/common';
import type { Request, Response } from 'express';
import { ApiBadRequestResponse, ApiFoundResponse, ApiOperation, ApiQuery, ApiTags } from '@nestjs/swagger';
import { ZodQuery } from '@core-email/platform';
import { readBindingCookie } from './browser-binding';
import { OutlookConnectService } from './outlook-connect.service';
import { RedirectQuery, redirectQuerySchema } from './outlook.schemas';

/**
 * Microsoft's OAuth redirect (the original's path). A browser navigation with no session header: the
 * `state` is what ties it to the user who asked.
 */
@ApiTags('outlook')
@Controller('user/outlook')
export class OutlookRedirectController {
  constructor(private readonly connect: OutlookConnectService) {}

  @Get('redirect')
  @Redirect()
  @ApiOperation({
    summary: 'OAuth redirect URI (Microsoft sends the browser here)',
    description:
      'Checks and consumes `state` (and the cookie binding it to the browser that started the connect), redeems `code`, stores the mailbox, starts its first sync, then redirects ' +
      'to `<DASHBOARD_URL>/?outlook=connected` or `?outlook=error&reason=access_denied|authorization_failed|' +
      'invalid_state|redeem_failed|account_linked_elsewhere|internal_error`.',
  })
  @ApiQuery({ name: 'state', required: true })
  @ApiQuery({ name: 'code', required: false })
  @ApiQuery({ name: 'error', required: false })
  @ApiQuery({ name: 'error_description', required: false })
  @ApiFoundResponse({ description: 'to the dashboard, with the outcome in the query' })
  @ApiBadRequestResponse({ description: 'malformed query (names the parameter)' })
  async redirect(
    @ZodQuery(redirectQuerySchema) query: RedirectQuery,
    @Req() req: Request,
    @Res({ passthrough: true }) res: Response,
  ): Promise<{ url: string; statusCode: number }> {
    const cookie = this.connect.bindingCookie(0);
    const { url, bindingUsed } = await this.connect.complete(query, readBindingCookie(req, cookie.name));
    if (bindingUsed) res.clearCookie(cookie.name, cookie.options);
    return { url, statusCode: 302 };
  }
}
