// What a browser does on the graph emulator's sign-in pages, over plain HTTP: load the authorize URL, submit
// the sign-in form, accept (or cancel) the consent form, and stop at the redirect back to the app.

export interface SignInOptions {
  username?: string;
  password?: string;
  /** `cancel` at the consent form (or at sign-in, when consent was given before) → error=access_denied. */
  action?: 'accept' | 'cancel';
}

interface Page {
  status: number;
  html: string;
  location?: string;
}

async function fetchPage(url: string, init?: RequestInit): Promise<Page> {
  const res = await fetch(url, { ...init, redirect: 'manual' });
  return { status: res.status, html: await res.text(), location: res.headers.get('location') ?? undefined };
}

function hiddenFields(html: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const m of html.matchAll(/<input type="hidden" name="([^"]+)" value="([^"]*)">/g))
    out[m[1]] = decode(m[2]);
  return out;
}

function decode(s: string): string {
  return s
    .replace(/&#(\d+);/g, (_m, c) => String.fromCharCode(Number(c)))
    .replace(/&quot;/g, '"')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&amp;/g, '&');
}

function submit(page: Page, pageUrl: string, fields: Record<string, string>): Promise<Page> {
  const m = /<form method="post" action="([^"]+)"/.exec(page.html);
  if (!m) throw new Error(`no form on the page: ${page.html.slice(0, 300)}`);
  return fetchPage(new URL(decode(m[1]), pageUrl).toString(), {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ ...hiddenFields(page.html), ...fields }),
  });
}

/** Signs in at `authorizeUrl` and returns the URL Microsoft redirects the browser to (our redirect URI). */
export async function emulatorSignIn(authorizeUrl: string, options: SignInOptions = {}): Promise<URL> {
  const signIn = await fetchPage(authorizeUrl);
  if (signIn.status !== 200 || !signIn.html.includes('name="password"')) {
    throw new Error(`no sign-in form: ${signIn.status} ${signIn.html.slice(0, 300)}`);
  }
  const cancelAtSignIn = options.action === 'cancel';
  let page = await submit(signIn, authorizeUrl, {
    username: options.username ?? 'demo@contoso.test',
    password: options.password ?? 'demo-password',
    action: cancelAtSignIn ? 'cancel' : 'signin',
  });
  if (page.status === 200 && page.html.includes('id="consent"')) {
    page = await submit(page, authorizeUrl, { action: options.action ?? 'accept' });
  }
  if (page.status !== 302 || !page.location) {
    throw new Error(`expected a redirect to the app, got ${page.status}: ${page.html.slice(0, 300)}`);
  }
  return new URL(page.location);
}
