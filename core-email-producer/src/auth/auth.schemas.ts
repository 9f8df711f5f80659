import { z } from 'zod';

// bcrypt reads at most 72 bytes; longer passwords would be silently truncated, so they are refused.
const BCRYPT_MAX_BYTES = 72;

/** A new password: used as given, never trimmed or lower-cased. */
export const newPassword = z
  .string({ required_error: 'is required', invalid_type_error: 'must be a string' })
  .min(8, 'must be at least 8 characters')
  .refine(
    (p) => Buffer.byteLength(p, 'utf8') <= BCRYPT_MAX_BYTES,
    `must be at most ${BCRYPT_MAX_BYTES} bytes`,
  )
  // bcrypt stops at a NUL byte: everything after it would silently not count.
  .refine((p) => !p.includes('\u0000'), 'must not contain a NUL character');

/** Control characters (NUL among them: PostgreSQL text cannot hold it) have no place in a name. */
function hasControlCharacters(text: string): boolean {
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 0x20 || c === 0x7f) return true;
  }
  return false;
}

const anyPassword = z
  .string({ required_error: 'is required', invalid_type_error: 'must be a string' })
  .min(1, 'is required')
  .max(1024, 'is too long');

const email = z
  .string({ required_error: 'is required', invalid_type_error: 'must be a string' })
  .trim()
  .max(254, 'must be at most 254 characters')
  .email('must be an email address')
  .refine((e) => !hasControlCharacters(e), 'must not contain control characters');

export const signUpSchema = z
  .object({
    email,
    userName: z
      .string({ required_error: 'is required', invalid_type_error: 'must be a string' })
      .trim()
      .min(1, 'is required')
      .max(100, 'must be at most 100 characters')
      .refine((n) => !hasControlCharacters(n), 'must not contain control characters'),
    password: newPassword,
  })
  .strict();

export const logInSchema = z.object({ email, password: anyPassword }).strict();

export const changePasswordSchema = z.object({ currentPassword: anyPassword, newPassword }).strict();

export const deleteAccountSchema = z.object({ password: anyPassword }).strict();

export type SignUpInput = z.infer<typeof signUpSchema>;
export type LogInInput = z.infer<typeof logInSchema>;
export type ChangePasswordInput = z.infer<typeof changePasswordSchema>;
