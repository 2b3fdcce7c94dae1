import sanitizeHtml from 'sanitize-html';

/**
 * The article HTML policy (docs/KNOWLEDGE.md, "Safe HTML"). The editor (tiptap) produces a small
 * set of tags; anything else a client sends is dropped, never escaped into visible markup.
 * Scripts, styles, event handlers (onerror …), iframes and forms go; links keep only http(s),
 * mailto and tel (a javascript: link loses its href); images keep only our own file URLs
 * (data: images are turned into stored files by the service before this runs, anything else
 * is dropped). The result is what is stored and what every reader gets.
 */
export const FILE_URL_PREFIX = '/api/v1/knowledge/files/';
const OWN_FILE = /^\/api\/v1\/knowledge\/files\/[1-9]\d{0,15}$/;

const POLICY: sanitizeHtml.IOptions = {
  allowedTags: ['p', 'br', 'h1', 'h2', 'h3', 'h4', 'strong', 'b', 'em', 'i', 'u', 's', 'code', 'pre', 'blockquote', 'ul', 'ol', 'li', 'a', 'img', 'hr', 'table', 'thead', 'tbody', 'tr', 'th', 'td'],
  allowedAttributes: {
    a: ['href', 'title', 'target', 'rel'],
    img: ['src', 'alt', 'title', 'width', 'height'],
    code: ['class'],
    ol: ['start'],
    th: ['colspan', 'rowspan'],
    td: ['colspan', 'rowspan'],
  },
  allowedClasses: { code: [/^language-[a-z0-9+#-]{1,30}$/] },
  allowedSchemes: ['http', 'https', 'mailto', 'tel'],
  allowedSchemesByTag: { img: [] },
  allowProtocolRelative: false,
  // Dropped with their content (the default keeps the text of unknown tags, which is right for the rest).
  nonTextTags: ['script', 'style', 'textarea', 'option', 'noscript', 'iframe', 'object', 'embed', 'svg', 'math', 'template'],
  transformTags: {
    // Links leave the app in a new tab and do not hand it the opener or the referrer.
    a: (tagName, attribs) => ({ tagName, attribs: { ...attribs, target: '_blank', rel: 'noopener noreferrer nofollow' } }),
  },
  exclusiveFilter: (frame) => frame.tag === 'img' && !OWN_FILE.test(frame.attribs.src ?? ''),
};

/** The stored (and rendered) form of an article body. */
export function sanitizeArticleHtml(html: string): string {
  return sanitizeHtml(html, POLICY).trim();
}

const BLOCK_END = /<\/(p|h[1-6]|li|pre|blockquote|tr|table)>|<br\s*\/?>|<hr\s*\/?>/gi;

/** The plain text of (sanitized) HTML, for search and snippets: one line per block. */
export function htmlToText(html: string): string {
  const withBreaks = html.replace(BLOCK_END, (m) => `${m}\n`);
  const text = sanitizeHtml(withBreaks, { allowedTags: [], allowedAttributes: {}, nonTextTags: ['script', 'style'] });
  return decodeEntities(text)
    .split('\n')
    .map((l) => l.replace(/[ \t\u00a0]+/g, ' ').trim())
    .filter(Boolean)
    .join('\n');
}

function decodeEntities(s: string): string {
  return s
    .replace(/&nbsp;/g, ' ')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&#39;|&#x27;/g, "'")
    .replace(/&amp;/g, '&');
}

/** Plain text as HTML paragraphs (a ticket's description, a worklog): escaped, one <p> per line. */
export function textToHtml(text: string): string {
  return text
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter(Boolean)
    .map((l) => `<p>${escapeHtml(l)}</p>`)
    .join('');
}

export function escapeHtml(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;');
}

export interface DataImage {
  /** The whole `data:` URL as it appears in the src attribute. */
  url: string;
  mime: 'image/png' | 'image/jpeg' | 'image/gif' | 'image/webp';
  bytes: Buffer;
}

const DATA_IMG = /data:(image\/(?:png|jpeg|gif|webp));base64,([A-Za-z0-9+/=\s]+)/g;

/** The data: images in an editor's HTML (pasted screenshots), to be stored as files and linked instead. */
export function dataImagesOf(html: string): DataImage[] {
  const out: DataImage[] = [];
  for (const m of html.matchAll(DATA_IMG)) out.push({ url: m[0], mime: m[1] as DataImage['mime'], bytes: Buffer.from(m[2].replace(/\s/g, ''), 'base64') });
  return out;
}
