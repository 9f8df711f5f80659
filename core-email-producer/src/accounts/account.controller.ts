import { Controller, Delete, HttpCode, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import { ApiZodBody, ZodBody } from '@core-email/platform';
import { deleteAccountSchema } from '../auth/auth.schemas';
import { CurrentUser } from '../auth/current-user.decorator';
import { JwtAuthGuard } from '../auth/jwt-auth.guard';
import type { SessionUser } from '../auth/session-user';
import { AccountDeletionService } from './account-deletion.service';

/** DELETE /api/me; the rest of /api/me is auth's (MeController). */
@ApiTags('me')
@ApiBearerAuth()
@UseGuards(JwtAuthGuard)
@Controller('me')
export class AccountController {
  constructor(private readonly deletion: AccountDeletionService) {}

  @Delete()
  @HttpCode(204)
  @ApiOperation({ summary: 'Delete the account with its tokens, connection and mail; every session ends' })
  @ApiZodBody(deleteAccountSchema)
  @ApiResponse({ status: 204 })
  @ApiResponse({ status: 401, description: 'password is wrong' })
  async deleteAccount(
    @CurrentUser() user: SessionUser,
    @ZodBody(deleteAccountSchema) body: { password: string },
  ): Promise<void> {
    await this.deletion.deleteAccount(user.userId, body.password);
  }
}
