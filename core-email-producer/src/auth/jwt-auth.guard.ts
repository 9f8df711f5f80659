import { Injectable } from '@nestjs/common';
import { AuthGuard } from '@nestjs/passport';

/** Requires a valid Bearer JWT bound to a live session; 401 otherwise. */
@Injectable()
export class JwtAuthGuard extends AuthGuard('jwt') {}
