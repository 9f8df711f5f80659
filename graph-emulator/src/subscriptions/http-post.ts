// Outgoing webhook calls (validation and notifications), with a hard timeout. Any network error, timeout
// or non-2xx is simply "failed": the caller decides what that means.
export interface PostResult {
  ok: boolean;
  status: number;
  body: string;
  contentType: string;
  error?: string;
}

export async function postWithTimeout(
  url: string,
  body: string,
  contentType: string,
  timeoutMs: number,
): Promise<PostResult> {
  try {
    const res = await fetch(url, {
      method: 'POST',
      headers: { 'Content-Type': contentType },
      body,
      signal: AbortSignal.timeout(timeoutMs),
      redirect: 'manual',
    });
    const text = await res.text();
    return {
      ok: res.status >= 200 && res.status < 300,
      status: res.status,
      body: text,
      contentType: res.headers.get('content-type') ?? '',
    };
  } catch (err) {
    return {
      ok: false,
      status: 0,
      body: '',
      contentType: '',
      error: err instanceof Error ? err.message : String(err),
    };
  }
}
