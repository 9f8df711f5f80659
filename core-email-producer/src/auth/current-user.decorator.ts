import { createParamDecorator, ExecutionContext } from '@nestjs/common';
import type { SessionUser } from './session-user';

/** The authenticated caller, as checked by JwtAuthGuard. */
export const CurrentUser = createParamDecorator((_data: unknown, ctx: ExecutionContext): SessionUser => {
  return ctx.switchToHttp().getRequest<{ user: SessionUser }>().user;
});
