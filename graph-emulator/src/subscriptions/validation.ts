// The synchronous validation handshake Graph runs on notificationUrl and lifecycleNotificationUrl before it
// answers POST /subscriptions: the endpoint must echo the URL-decoded token as text/plain within 10 s.
import { randomUUID } from 'node:crypto';
import { log } from '../log';
import { postWithTimeout } from './http-post';

export async function validateEndpoint(url: string, timeoutMs: number): Promise<boolean> {
  const token = `Validation: Testing client application reachability for subscription Request-Id: ${randomUUID()}`;
  const target = new URL(url);
  // URLSearchParams encodes spaces as '+', as Graph does; receivers must decode it.
  target.searchParams.append('validationToken', token);
  const result = await postWithTimeout(target.toString(), '', 'text/plain; charset=utf-8', timeoutMs);
  const ok =
    result.status === 200 &&
    result.contentType.toLowerCase().startsWith('text/plain') &&
    result.body === token;
  if (!ok) log.info('webhook validation failed', { url, status: result.status, error: result.error });
  return ok;
}
