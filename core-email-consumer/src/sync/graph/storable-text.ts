/**
 * Text from Graph as PostgreSQL can store it. PostgreSQL text cannot hold NUL, and its JSON input refuses a
 * lone UTF-16 surrogate (`\ud800`), which JavaScript strings and Graph's JSON can carry. Graph content is
 * hostile input, so NUL is dropped and a lone surrogate becomes U+FFFD instead of failing the whole page.
 */
export function storableText(s: string): string {
  const withoutNul = s.includes('\0') ? s.replaceAll('\0', '') : s;
  return withoutNul.toWellFormed();
}

export function storableTextOrNull(s: string | null | undefined): string | null {
  return s === null || s === undefined ? null : storableText(s);
}
