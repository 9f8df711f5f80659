// A message body, rendered so that mail can never run code in the dashboard: text as text; HTML inside an
// iframe sandboxed with no permissions at all (no scripts, no forms, no popups, an opaque origin that cannot
// read the dashboard's token) and a Content-Security-Policy that also blocks remote images (tracking pixels)
// and any other fetch.
const CSP = "default-src 'none'; img-src data:; style-src 'unsafe-inline'; font-src data:";

export function MessageBody({
  content,
  contentType,
}: {
  content: string | null;
  contentType: string | null;
}) {
  if (!content) return <p className="muted">(empty message)</p>;
  if (contentType !== 'html') {
    return (
      <pre className="message-text" data-testid="message-text">
        {content}
      </pre>
    );
  }
  const document = `<!doctype html><html><head><meta charset="utf-8"><meta http-equiv="Content-Security-Policy" content="${CSP}"></head><body>${content}</body></html>`;
  return (
    <iframe
      className="message-html"
      title="Message body"
      sandbox=""
      srcDoc={document}
      data-testid="message-html"
    />
  );
}
