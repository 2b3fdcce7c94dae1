import { strFromU8, strToU8, unzipSync, zipSync, type Zippable } from 'fflate';

/**
 * Office files are zip archives whose writers stamp them with the clock: every entry's
 * modification time and the document properties' created/modified dates. The evidence pack
 * hashes the files, so the same report must give the same bytes: this rewrites the archive with
 * the document's own date everywhere, entries in their original order.
 */
export function normalizeZip(archive: Buffer | Uint8Array, date: Date, rewrite?: (name: string, xml: string) => string): Buffer {
  const entries = unzipSync(archive instanceof Uint8Array ? archive : new Uint8Array(archive));
  const iso = date.toISOString().replace(/\.\d{3}Z$/, 'Z');
  const out: Zippable = {};
  for (const [name, data] of Object.entries(entries)) {
    let bytes = data;
    if (name === 'docProps/core.xml') {
      const xml = strFromU8(data).replace(/(<dcterms:(?:created|modified)[^>]*>)[^<]*(<\/dcterms:(?:created|modified)>)/g, `$1${iso}$2`);
      bytes = strToU8(xml);
    } else if (rewrite && name.endsWith('.xml')) {
      bytes = strToU8(rewrite(name, strFromU8(data)));
    }
    // The zip format stores local time without a zone; fflate reads the Date's local fields, so the TZ of the server would leak in.
    out[name] = [bytes, { mtime: new Date(date.getUTCFullYear(), date.getUTCMonth(), date.getUTCDate(), 12, 0, 0), level: 6 }];
  }
  return Buffer.from(zipSync(out));
}

/**
 * Numbers a writer took from a process-wide counter, renumbered 1, 2, 3 … in order of first
 * appearance (the same number keeps the same new number wherever it occurs in the file).
 */
export function renumber(xml: string, pattern: RegExp, first = 1): string {
  const seen = new Map<string, string>();
  return xml.replace(pattern, (match: string, prefix: string, id: string) => {
    let next = seen.get(id);
    if (next === undefined) {
      next = String(seen.size + first);
      seen.set(id, next);
    }
    return `${prefix}${next}`;
  });
}
