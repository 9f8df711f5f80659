// HTML → text helpers shared by seeding, writes and serialisation.
export function stripHtml(html: string): string {
  return html
    .replace(/<[^>]*>/g, ' ')
    .replace(/\s+/g, ' ')
    .trim();
}

/** Graph's bodyPreview: the first 255 characters of the body as text. */
export function previewOf(html: string): string {
  return stripHtml(html).slice(0, 255);
}

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** A Graph itemBody as stored HTML: text bodies are escaped into a <pre>. */
export function itemBodyToHtml(body: { contentType: string; content: string } | undefined): string {
  if (!body) return '';
  return body.contentType.toLowerCase() === 'html'
    ? body.content
    : `<html><body><pre>${escapeHtml(body.content)}</pre></body></html>`;
}
