// `measure-delta`: signs in to a running emulator with plain HTTP (the same form a person fills in), then
// pages one folder's full delta round at the given page size and prints messages per second. This is the
// emulator's raw delta-page rate, without any SDK in the way.
import { createHash, randomBytes } from 'node:crypto';
import { DEFAULT_APP } from '../store/state';
import { httpsCall } from './http';

export interface MeasureOptions {
  base: string;
  ca: Buffer;
  tenant: string;
  username: string;
  password: string;
  folder: string;
  pageSize: number;
}

function hidden(html: string, name: string): string {
  const m = new RegExp(`name="${name}" value="([^"]*)"`).exec(html);
  if (!m) throw new Error(`no ${name} field in ${html.slice(0, 200)}`);
  return m[1];
}

const form = (fields: Record<string, string>) => ({
  method: 'POST',
  headers: { 'content-type': 'application/x-www-form-urlencoded' },
  body: new URLSearchParams(fields).toString(),
});

export async function signInWithForms(o: MeasureOptions): Promise<string> {
  const verifier = randomBytes(32).toString('base64url');
  const challenge = createHash('sha256').update(verifier).digest('base64url');
  const redirectUri = DEFAULT_APP.redirectUris[0];
  const scope = 'https://graph.microsoft.com/Mail.ReadWrite openid profile offline_access';
  const query = new URLSearchParams({
    client_id: DEFAULT_APP.clientId,
    response_type: 'code',
    redirect_uri: redirectUri,
    scope,
    code_challenge: challenge,
    code_challenge_method: 'S256',
  });
  const page = await httpsCall(`${o.base}/${o.tenant}/oauth2/v2.0/authorize?${query}`, o.ca);
  const request = hidden(page.text, 'request');
  let step = await httpsCall(
    `${o.base}/${o.tenant}/login`,
    o.ca,
    form({ request, username: o.username, password: o.password, action: 'signin' }),
  );
  if (step.status === 200)
    step = await httpsCall(`${o.base}/${o.tenant}/consent`, o.ca, form({ request, action: 'accept' }));
  const code = new URL(String(step.headers.location ?? 'http://x/')).searchParams.get('code');
  if (!code) throw new Error(`sign-in failed: ${step.status} ${step.text.slice(0, 200)}`);
  const token = await httpsCall(
    `${o.base}/${o.tenant}/oauth2/v2.0/token`,
    o.ca,
    form({
      client_id: DEFAULT_APP.clientId,
      client_secret: DEFAULT_APP.clientSecret,
      grant_type: 'authorization_code',
      code,
      redirect_uri: redirectUri,
      code_verifier: verifier,
      scope,
    }),
  );
  return (JSON.parse(token.text) as { access_token: string }).access_token;
}

export async function measureDelta(o: MeasureOptions): Promise<Record<string, number>> {
  const accessToken = await signInWithForms(o);
  const headers = { authorization: `Bearer ${accessToken}`, prefer: `odata.maxpagesize=${o.pageSize}` };
  let url = `${o.base}/v1.0/me/mailFolders('${o.folder}')/messages/delta?$select=subject,isRead,receivedDateTime,from,importance,hasAttachments`;
  let messages = 0;
  let pages = 0;
  let bytes = 0;
  const started = process.hrtime.bigint();
  for (;;) {
    const res = await httpsCall(url, o.ca, { headers });
    if (res.status !== 200) throw new Error(`delta page failed: ${res.status} ${res.text.slice(0, 300)}`);
    const body = JSON.parse(res.text) as {
      value: unknown[];
      '@odata.nextLink'?: string;
      '@odata.deltaLink'?: string;
    };
    messages += body.value.length;
    bytes += res.text.length;
    pages++;
    if (!body['@odata.nextLink']) break;
    url = body['@odata.nextLink'];
  }
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  return {
    messages,
    pages,
    pageSize: o.pageSize,
    seconds: Number(seconds.toFixed(3)),
    messagesPerSecond: Math.round(messages / seconds),
    megabytes: Number((bytes / 1e6).toFixed(1)),
  };
}
