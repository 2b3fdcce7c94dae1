import type { ReportDocument } from '../../../core/reporting/document.js';
import type { FontChoice } from '../../../platform/pdf/fonts.js';
import { face } from './svg-text.js';

/**
 * The document with every character the embedded font cannot draw replaced by □ (or ? when the
 * font lacks that too), for the PDF. pdfkit measures a missing glyph as nothing but the viewer
 * draws a box, so lines with an emoji or a character outside the font (生僻字 in a name, with
 * the bundled GB2312 font) ran past the margin and ellipses cut the wrong place. Emoji joiners
 * and variation selectors are dropped rather than boxed. Word does its own font fallback, so
 * the .docx keeps the text as written.
 */
const INVISIBLE = new Set([0x200d, 0xfe0e, 0xfe0f, 0x200b]);

export function printableDocument(doc: ReportDocument, font: FontChoice): ReportDocument {
  const f = face(font);
  const box = f.hasGlyphForCodePoint(0x25a1) ? '□' : '?';
  const cache = new Map<string, string>();
  const clean = (text: string): string => {
    let out = cache.get(text);
    if (out === undefined) {
      out = '';
      for (const ch of text) {
        const cp = ch.codePointAt(0)!;
        if (cp < 0x20 || f.hasGlyphForCodePoint(cp)) out += ch;
        else if (!INVISIBLE.has(cp)) out += box;
      }
      cache.set(text, out);
    }
    return out;
  };
  const walk = (value: unknown): unknown => {
    if (typeof value === 'string') return clean(value);
    if (Array.isArray(value)) return value.map(walk);
    if (value && typeof value === 'object' && !(value instanceof Uint8Array)) {
      return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, walk(v)]));
    }
    return value;
  };
  return walk(doc) as ReportDocument;
}
