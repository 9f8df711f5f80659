// The browser leg's HTML: a sign-in form (username, password) and a consent form. Plain forms, so a test
// (or a person) can drive them with nothing but HTTP.
function esc(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

function page(title: string, body: string): string {
  return (
    `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${esc(title)}</title>` +
    `<meta name="viewport" content="width=device-width, initial-scale=1">` +
    `<style>body{font-family:Segoe UI,Arial,sans-serif;background:#f2f2f2;display:flex;justify-content:center;padding-top:8vh}` +
    `main{background:#fff;padding:44px;width:340px;box-shadow:0 2px 6px rgba(0,0,0,.2)}input[type=text],input[type=email],input[type=password]` +
    `{width:100%;padding:6px 0;margin:8px 0 16px;border:0;border-bottom:1px solid #666;font-size:15px}` +
    `button{padding:6px 20px;margin-right:8px;font-size:15px}.primary{background:#0067b8;color:#fff;border:0}` +
    `.error{color:#e81123}.note{color:#666;font-size:12px;margin-top:24px}</style></head>` +
    `<body><main>${body}<p class="note">Microsoft identity platform emulator (local development)</p></main></body></html>`
  );
}

export function signInPage(
  action: string,
  requestId: string,
  appName: string,
  loginHint = '',
  error = '',
): string {
  return page(
    'Sign in to your account',
    `<h1>Sign in</h1><p>to continue to ${esc(appName)}</p>` +
      (error ? `<p class="error" id="error">${esc(error)}</p>` : '') +
      `<form method="post" action="${esc(action)}" id="signin">` +
      `<input type="hidden" name="request" value="${esc(requestId)}">` +
      `<label>Email<input type="email" name="username" value="${esc(loginHint)}" autocomplete="username" required></label>` +
      `<label>Password<input type="password" name="password" autocomplete="current-password"></label>` +
      `<button type="submit" name="action" value="cancel" formnovalidate>Cancel</button>` +
      `<button type="submit" name="action" value="signin" class="primary">Sign in</button></form>`,
  );
}

export function consentPage(
  action: string,
  requestId: string,
  appName: string,
  user: string,
  scopes: string[],
): string {
  const items = scopes.map((s) => `<li>${esc(s)}</li>`).join('');
  return page(
    'Permissions requested',
    `<h1>Permissions requested</h1><p>${esc(appName)} wants to access ${esc(user)}:</p><ul>${items}</ul>` +
      `<form method="post" action="${esc(action)}" id="consent">` +
      `<input type="hidden" name="request" value="${esc(requestId)}">` +
      `<button type="submit" name="action" value="cancel">Cancel</button>` +
      `<button type="submit" name="action" value="accept" class="primary">Accept</button></form>`,
  );
}

/** response_mode=form_post: a page that posts the result to the app at once. */
export function formPostPage(redirectUri: string, fields: Record<string, string>): string {
  const inputs = Object.entries(fields)
    .map(([k, v]) => `<input type="hidden" name="${esc(k)}" value="${esc(v)}">`)
    .join('');
  return (
    `<!doctype html><html><head><title>Working...</title></head><body onload="document.forms[0].submit()">` +
    `<form method="post" action="${esc(redirectUri)}">${inputs}<noscript><button type="submit">Continue</button></noscript></form></body></html>`
  );
}
