// Tenant path segments: the emulator's tenant id plus the multi-tenant aliases msal may use. msal lowercases
// the authority, so matching is case-insensitive.
import { AadError } from '../http/errors';
import type { EmulatorState } from '../store/state';

const ALIASES = new Set(['common', 'organizations']);

/** Returns the canonical tenant id for a path segment, or throws AADSTS90002. */
export function resolveTenant(state: EmulatorState, segment: string, html = false): string {
  const lower = segment.toLowerCase();
  if (lower === state.tenantId || ALIASES.has(lower)) return state.tenantId;
  throw new AadError(
    400,
    'invalid_tenant',
    90002,
    `AADSTS90002: Tenant '${segment}' not found. Check to make sure you have the correct tenant ID and are signing into the correct cloud.`,
    { html },
  );
}

export function isAlias(segment: string): boolean {
  return ALIASES.has(segment.toLowerCase());
}
