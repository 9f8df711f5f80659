import { z } from 'zod';
import { csv } from './env';

/** A `keyId:base64` pair; the key must be 32 bytes for AES-256-GCM. */
const encryptionKey = z
  .string()
  .regex(/^[A-Za-z0-9_-]{1,32}:[A-Za-z0-9+/=]+$/, 'expected keyId:base64key')
  .refine(
    (s) => Buffer.from(s.slice(s.indexOf(':') + 1), 'base64').length === 32,
    'each key must be 32 bytes (base64)',
  );

/**
 * Where Microsoft is (the real one by default, the graph emulator locally) and how tokens are kept. Both
 * services use these: the producer redeems codes, both refresh tokens.
 */
export const microsoftEnvShape = {
  MS_AUTHORITY: z
    .string()
    .url()
    .startsWith('https://', 'the authority must be https')
    .default('https://login.microsoftonline.com/common'),
  MS_KNOWN_AUTHORITIES: csv(z.string().min(1)).default(''),
  MS_CLIENT_ID: z.string().min(1).max(200),
  MS_CLIENT_SECRET: z.string().min(1).max(500),
  MS_REDIRECT_URI: z.string().url().default('http://localhost:3000/api/user/outlook/redirect'),
  MS_SCOPES: z.string().min(1).default('offline_access User.Read Mail.Read'),
  GRAPH_BASE_URL: z.string().url().default('https://graph.microsoft.com/v1.0'),
  TOKEN_ENCRYPTION_KEYS: csv(encryptionKey).pipe(z.array(z.string()).min(1, 'at least one keyId:base64key')),
  TOKEN_ENCRYPTION_ACTIVE_KEY_ID: z.string().min(1).max(32).optional(),
};
