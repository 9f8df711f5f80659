/** Calls a graph emulator's control API (`/__emulator/...`, loopback only) and returns its JSON answer. */
export async function emulatorControlCall(
  origin: string,
  method: string,
  path: string,
  body?: unknown,
): Promise<unknown> {
  const res = await fetch(`${origin}/__emulator${path}`, {
    method,
    headers: body === undefined ? {} : { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  if (!res.ok) throw new Error(`control ${method} ${path} → ${res.status} ${text}`);
  return text ? JSON.parse(text) : {};
}
