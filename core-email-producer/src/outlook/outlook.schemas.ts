import { z } from 'zod';

const text = (max: number) =>
  z
    .string({ invalid_type_error: 'must be a single string' })
    .min(1, 'must not be empty')
    .max(max, `is too long`);

/**
 * What Microsoft (or anyone) may put on the redirect URI. Unknown parameters (session_state, client_info…)
 * are dropped; a repeated or oversized one is a 400 naming it. Either `code` or `error` must be there.
 */
export const redirectQuerySchema = z
  .object({
    state: text(256),
    code: text(4096).optional(),
    error: z
      .string({ invalid_type_error: 'must be a single string' })
      .regex(/^[a-z_]{1,64}$/, 'must be an OAuth error code')
      .optional(),
    error_description: z.string({ invalid_type_error: 'must be a single string' }).max(4096).optional(),
  })
  .refine((q) => q.code !== undefined || q.error !== undefined, {
    message: 'code or error is required',
    path: ['code'],
  });

export type RedirectQuery = z.infer<typeof redirectQuerySchema>;

/** Why a connect did not end connected; sent to the dashboard as `?outlook=error&reason=<code>`. */
export type ConnectFailure =
  | 'access_denied'
  | 'authorization_failed'
  | 'invalid_state'
  | 'redeem_failed'
  | 'account_linked_elsewhere'
  | 'internal_error';
