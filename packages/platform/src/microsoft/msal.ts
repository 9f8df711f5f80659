import { ConfidentialClientApplication, CryptoProvider, LogLevel } from '@azure/msal-node';
import type { Logger } from 'pino';
import { z } from 'zod';
import { microsoftEnvShape } from '../config/microsoft-env';

export type MicrosoftEnv = z.infer<z.ZodObject<typeof microsoftEnvShape>>;

/** The Microsoft side of an app's config, as msal and the token store need it. */
export interface MicrosoftSettings {
  authority: string;
  knownAuthorities: string[];
  clientId: string;
  clientSecret: string;
  redirectUri: string;
  scopes: string[];
  tokenKeys: string[];
  activeTokenKeyId?: string;
}

export function microsoftSettingsFrom(env: MicrosoftEnv): MicrosoftSettings {
  return {
    authority: env.MS_AUTHORITY,
    knownAuthorities: env.MS_KNOWN_AUTHORITIES,
    clientId: env.MS_CLIENT_ID,
    clientSecret: env.MS_CLIENT_SECRET,
    redirectUri: env.MS_REDIRECT_URI,
    scopes: env.MS_SCOPES.split(/\s+/).filter(Boolean),
    tokenKeys: env.TOKEN_ENCRYPTION_KEYS,
    activeTokenKeyId: env.TOKEN_ENCRYPTION_ACTIVE_KEY_ID,
  };
}

/**
 * A ConfidentialClientApplication for our app registration. Real Microsoft and the emulator differ only in
 * `authority` and `knownAuthorities` (with the port: otherwise msal asks login.microsoftonline.com).
 *
 * Each instance has its own in-memory token cache, so callers make one per mailbox operation and load that
 * mailbox's cache into it: one process never mixes two users' tokens in one cache.
 */
export function createMsalClient(settings: MicrosoftSettings, logger: Logger): ConfidentialClientApplication {
  const log = logger.child({ component: 'msal' });
  return new ConfidentialClientApplication({
    auth: {
      clientId: settings.clientId,
      clientSecret: settings.clientSecret,
      authority: settings.authority,
      knownAuthorities: settings.knownAuthorities,
    },
    system: {
      loggerOptions: {
        logLevel: LogLevel.Warning,
        piiLoggingEnabled: false,
        loggerCallback: (level, message) => {
          if (level === LogLevel.Error) log.error(message);
          else log.warn(message);
        },
      },
    },
  });
}

export interface PkcePair {
  verifier: string;
  challenge: string;
}

/** S256 PKCE codes from msal's own crypto provider. */
export function generatePkce(): Promise<PkcePair> {
  return new CryptoProvider().generatePkceCodes();
}
