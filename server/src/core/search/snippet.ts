/**
 * Highlighted snippets, built in the application from the stored text (docs/SEARCH.md):
 * everything HTML-escaped, only our own <mark> elements added around the query's words.
 */

export function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

/** Intervals [start, end) of the text covered by any needle, merged; case-insensitive. */
export function matchIntervals(text: string, needles: string[]): Array<[number, number]> {
  const hay = text.toLowerCase();
  // Lower-casing may change a length (rare letters); then positions would lie: mark nothing.
  if (hay.length !== text.length) return [];
  const found: Array<[number, number]> = [];
  for (const n of needles) {
    if (!n) continue;
    for (let i = hay.indexOf(n); i >= 0; i = hay.indexOf(n, i + 1)) {
      found.push([i, i + n.length]);
      if (found.length > 500) break;
    }
  }
  found.sort((a, b) => a[0] - b[0] || b[1] - a[1]);
  const merged: Array<[number, number]> = [];
  for (const iv of found) {
    const last = merged[merged.length - 1];
    if (last && iv[0] <= last[1]) last[1] = Math.max(last[1], iv[1]);
    else merged.push([iv[0], iv[1]]);
  }
  return merged;
}

/** The text with its matches in <mark>, escaped. */
export function highlight(text: string, needles: string[]): string {
  let out = '';
  let at = 0;
  for (const [s, e] of matchIntervals(text, needles)) {
    out += escapeHtml(text.slice(at, s)) + '<mark>' + escapeHtml(text.slice(s, e)) + '</mark>';
    at = e;
  }
  return out + escapeHtml(text.slice(at));
}

/**
 * A window of about `width` characters around the first match among the texts (in order of
 * preference), highlighted; the start of the first non-empty text when nothing matches.
 */
export function snippet(texts: Array<string | null | undefined>, needles: string[], width = 120): string {
  const present = texts.map((t) => (t ?? '').replace(/\s+/g, ' ').trim()).filter(Boolean);
  for (const text of present) {
    const first = matchIntervals(text, needles)[0];
    if (!first) continue;
    const start = Math.max(0, first[0] - Math.floor(width / 3));
    const end = Math.min(text.length, start + width);
    return (start > 0 ? '…' : '') + highlight(text.slice(start, end), needles) + (end < text.length ? '…' : '');
  }
  const text = present[0] ?? '';
  return highlight(text.slice(0, width), needles) + (text.length > width ? '…' : '');
}
