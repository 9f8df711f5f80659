import { Controller, HttpCode, Post, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import { ThrottlerGuard } from '@nestjs/throttler';
import { ApiZodBody, ZodBody } from '@core-email/platform';
import { SessionView, SignedUpView } from '../users/user.view';
import { LogInInput, logInSchema, SignUpInput, signUpSchema } from './auth.schemas';
import { AuthService } from './auth.service';
import { CurrentUser } from './current-user.decorator';
import { JwtAuthGuard } from './jwt-auth.guard';
import type { SessionUser } from './session-user';

@ApiTags('auth')
@Controller('auth')
export class AuthController {
  constructor(private readonly auth: AuthService) {}

  @Post('sign-up')
  @UseGuards(ThrottlerGuard)
  @ApiOperation({ summary: 'Create an account (rate-limited)' })
  @ApiZodBody(signUpSchema)
  @ApiResponse({ status: 201, type: SignedUpView })
  @ApiResponse({ status: 400, description: 'a field is missing or invalid; the message names it' })
  @ApiResponse({ status: 409, description: 'the email is already registered (regardless of case)' })
  @ApiResponse({ status: 429, description: 'too many attempts; see Retry-After' })
  signUp(@ZodBody(signUpSchema) body: SignUpInput): Promise<SignedUpView> {
    return this.auth.signUp(body);
  }

  @Post('log-in')
  @HttpCode(200)
  @UseGuards(ThrottlerGuard)
  @ApiOperation({
    summary: 'Open a session (rate-limited per client address; failed log-ins also per account)',
  })
  @ApiZodBody(logInSchema)
  @ApiResponse({ status: 200, type: SessionView })
  @ApiResponse({ status: 401, description: 'wrong email or password' })
  @ApiResponse({ status: 429, description: 'too many attempts; see Retry-After' })
  logIn(@ZodBody(logInSchema) body: LogInInput): Promise<SessionView> {
    return this.auth.logIn(body);
  }

  @Post('log-out')
  @HttpCode(204)
  @UseGuards(JwtAuthGuard)
  @ApiBearerAuth()
  @ApiOperation({ summary: 'End this session; its token stops working at once' })
  @ApiResponse({ status: 204 })
  async logOut(@CurrentUser() user: SessionUser): Promise<void> {
    await this.auth.logOut(user.sessionId);
  }
}
