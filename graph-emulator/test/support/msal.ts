// Signing in exactly as the producer does: msal-node's ConfidentialClientApplication builds the authorize
// URL (with PKCE), a plain HTTP client fills in the sign-in and consent forms, msal redeems the code.
import { ConfidentialClientApplication, CryptoProvider, type AuthenticationResult } from '@azure/msal-node';
import { DEFAULT_APP, type TestEmulator } from './emulator';

export const GRAPH_SCOPES = [
  'https://graph.microsoft.com/Mail.ReadWrite',
  'https://graph.microsoft.com/Mail.Send',
  'https://graph.microsoft.com/User.Read',
];
export const REDIRECT_URI = DEFAULT_APP.redirectUris[0];

export function newMsalApp(
  emulator: TestEmulator,
  overrides: { clientId?: string; clientSecret?: string } = {},
): ConfidentialClientApplication {
  return new ConfidentialClientApplication({
    auth: {
      clientId: overrides.clientId ?? DEFAULT_APP.clientId,
      clientSecret: overrides.clientSecret ?? DEFAULT_APP.clientSecret,
      authority: `${emulator.url}/${emulator.ctx.state.tenantId}`,
      knownAuthorities: [new URL(emulator.url).host],
    },
  });
}

export interface FormPage {
  status: number;
  html: string;
  location?: string;
}

function hiddenFields(html: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const m of html.matchAll(/<input type="hidden" name="([^"]+)" value="([^"]*)">/g)) out[m[1]] = m[2];
  return out;
}

function formAction(html: string, origin: string): string {
  const m = /<form method="post" action="([^"]+)"/.exec(html);
  if (!m) throw new Error(`no form on page: ${html.slice(0, 300)}`);
  return new URL(
    m[1].replace(/&#(\d+);/g, (_s, c) => String.fromCharCode(Number(c))),
    origin,
  ).toString();
}

export async function fetchPage(url: string, init?: RequestInit): Promise<FormPage> {
  const res = await fetch(url, { ...init, redirect: 'manual' });
  return { status: res.status, html: await res.text(), location: res.headers.get('location') ?? undefined };
}

export async function submitForm(
  page: FormPage,
  origin: string,
  fields: Record<string, string>,
): Promise<FormPage> {
  const body = new URLSearchParams({ ...hiddenFields(page.html), ...fields });
  return fetchPage(formAction(page.html, origin), {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body,
  });
}

export interface BrowserResult {
  redirect: URL;
  verifier: string;
}

export interface SignInOptions {
  username?: string;
  password?: string;
  scopes?: string[];
  consent?: 'accept' | 'cancel';
  state?: string;
}

/** Drives the browser leg: authorize URL → sign-in form → consent form → redirect back to the app. */
export async function browserSignIn(
  app: ConfidentialClientApplication,
  origin: string,
  opts: SignInOptions = {},
): Promise<BrowserResult> {
  const pkce = await new CryptoProvider().generatePkceCodes();
  const url = await app.getAuthCodeUrl({
    scopes: opts.scopes ?? GRAPH_SCOPES,
    redirectUri: REDIRECT_URI,
    codeChallenge: pkce.challenge,
    codeChallengeMethod: 'S256',
    state: opts.state ?? 'state-123',
  });
  const signIn = await fetchPage(url);
  if (signIn.status !== 200 || !signIn.html.includes('name="password"'))
    throw new Error(`no sign-in form: ${signIn.status} ${signIn.html.slice(0, 300)}`);
  let page = await submitForm(signIn, origin, {
    username: opts.username ?? 'demo@contoso.test',
    password: opts.password ?? 'demo-password',
    action: 'signin',
  });
  if (page.status === 200 && page.html.includes('id="consent"')) {
    page = await submitForm(page, origin, { action: opts.consent ?? 'accept' });
  }
  if (page.status !== 302 || !page.location)
    throw new Error(`expected a redirect, got ${page.status}: ${page.html.slice(0, 300)}`);
  return { redirect: new URL(page.location), verifier: pkce.verifier };
}

/** The full interactive sign-in, ending with msal's acquireTokenByCode. */
export async function signIn(
  emulator: TestEmulator,
  opts: SignInOptions = {},
): Promise<{ app: ConfidentialClientApplication; result: AuthenticationResult }> {
  const app = newMsalApp(emulator);
  const { redirect, verifier } = await browserSignIn(app, emulator.url, opts);
  const code = redirect.searchParams.get('code');
  if (!code) throw new Error(`no code in ${redirect}`);
  const result = await app.acquireTokenByCode({
    code,
    scopes: opts.scopes ?? GRAPH_SCOPES,
    redirectUri: REDIRECT_URI,
    codeVerifier: verifier,
  });
  return { app, result };
}
