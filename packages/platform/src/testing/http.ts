export interface JsonResponse {
  status: number;
  headers: Headers;
  // Tests inspect arbitrary JSON; the assertions are the type check.
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  body: any;
}

export async function requestJson(url: string, init: RequestInit = {}): Promise<JsonResponse> {
  const res = await fetch(url, init);
  const text = await res.text();
  let body: unknown = text;
  try {
    body = text.length ? JSON.parse(text) : undefined;
  } catch {
    // not JSON: keep the text so the assertion can show it
  }
  return { status: res.status, headers: res.headers, body };
}
