/**
 * What an uploaded knowledge document is, checked from its bytes, and its text for search
 * (docs/KNOWLEDGE.md, "Documents"). The type comes from the content (magic numbers) and the
 * parser must read it: a file named .pdf that is not a PDF, or a PDF the parser cannot open,
 * is refused before anything is stored. Text is capped (MAX_TEXT): a 300-page manual is
 * searchable by what it says without one row holding megabytes.
 */
export const DOCUMENT_TYPES = {
  pdf: { mime: 'application/pdf', label: 'PDF' },
  docx: { mime: 'application/vnd.openxmlformats-officedocument.wordprocessingml.document', label: 'Word (docx)' },
  xlsx: { mime: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet', label: 'Excel (xlsx)' },
  txt: { mime: 'text/plain; charset=utf-8', label: 'text' },
  md: { mime: 'text/plain; charset=utf-8', label: 'text' },
  csv: { mime: 'text/csv; charset=utf-8', label: 'text' },
  log: { mime: 'text/plain; charset=utf-8', label: 'text' },
  png: { mime: 'image/png', label: 'PNG' },
  jpg: { mime: 'image/jpeg', label: 'JPEG' },
  jpeg: { mime: 'image/jpeg', label: 'JPEG' },
  gif: { mime: 'image/gif', label: 'GIF' },
  webp: { mime: 'image/webp', label: 'WebP' },
} as const;
export type DocumentExt = keyof typeof DOCUMENT_TYPES;
export const IMAGE_EXTS: readonly DocumentExt[] = ['png', 'jpg', 'jpeg', 'gif', 'webp'];

export const MAX_TEXT = 200_000;

export type Detected = 'pdf' | 'zip' | 'png' | 'jpeg' | 'gif' | 'webp' | 'text' | 'other';

export function detect(bytes: Buffer): Detected {
  const at = (sig: string | number[], offset = 0) => {
    const b = typeof sig === 'string' ? Buffer.from(sig, 'latin1') : Buffer.from(sig);
    return bytes.length >= offset + b.length && bytes.subarray(offset, offset + b.length).equals(b);
  };
  if (at('%PDF-')) return 'pdf';
  if (at([0x50, 0x4b, 0x03, 0x04])) return 'zip';
  if (at([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])) return 'png';
  if (at([0xff, 0xd8, 0xff])) return 'jpeg';
  if (at('GIF87a') || at('GIF89a')) return 'gif';
  if (at('RIFF') && at('WEBP', 8)) return 'webp';
  const head = bytes.subarray(0, 4096);
  if (!head.some((b) => b < 0x09 || (b > 0x0d && b < 0x20 && b !== 0x1b) || b === 0x7f)) return 'text';
  return 'other';
}

/** Which content each extension must have. */
const EXPECTED: Record<DocumentExt, Detected> = {
  pdf: 'pdf', docx: 'zip', xlsx: 'zip', txt: 'text', md: 'text', csv: 'text', log: 'text',
  png: 'png', jpg: 'jpeg', jpeg: 'jpeg', gif: 'gif', webp: 'webp',
};

export type CheckResult = { ok: true; ext: DocumentExt } | { ok: false; problem: 'unsupported' | 'mismatch'; ext: string; detected: Detected };

/** The file's extension is a supported one and its content is what the extension claims. */
export function checkType(name: string, bytes: Buffer): CheckResult {
  const dot = name.lastIndexOf('.');
  const ext = dot > 0 ? name.slice(dot + 1).toLowerCase() : '';
  const detected = detect(bytes);
  if (!Object.hasOwn(DOCUMENT_TYPES, ext)) return { ok: false, problem: 'unsupported', ext, detected };
  if (EXPECTED[ext as DocumentExt] !== detected) return { ok: false, problem: 'mismatch', ext, detected };
  return { ok: true, ext: ext as DocumentExt };
}

/** The text of a document; throws when the parser cannot read it (the file is refused). Images have none. */
export async function extractText(ext: DocumentExt, bytes: Buffer): Promise<string> {
  let text: string;
  switch (ext) {
    case 'pdf':
      text = await pdfText(bytes);
      break;
    case 'docx': {
      const mammoth = await import('mammoth');
      text = (await mammoth.default.extractRawText({ buffer: bytes })).value;
      break;
    }
    case 'xlsx':
      text = await xlsxText(bytes);
      break;
    case 'txt':
    case 'md':
    case 'csv':
    case 'log':
      text = decodeText(bytes);
      break;
    default:
      return '';
  }
  return cleanText(text).slice(0, MAX_TEXT);
}

async function pdfText(bytes: Buffer): Promise<string> {
  const pdfjs = await import('pdfjs-dist/legacy/build/pdf.mjs');
  const doc = await pdfjs.getDocument({ data: new Uint8Array(bytes), useSystemFonts: false, isEvalSupported: false, verbosity: 0 }).promise;
  try {
    const pages: string[] = [];
    let size = 0;
    for (let i = 1; i <= doc.numPages && size < MAX_TEXT; i++) {
      const content = await (await doc.getPage(i)).getTextContent();
      const page = content.items.map((item) => ('str' in item ? item.str + (item.hasEOL ? '\n' : '') : '')).join('');
      pages.push(page);
      size += page.length;
    }
    return pages.join('\n');
  } finally {
    await doc.destroy();
  }
}

async function xlsxText(bytes: Buffer): Promise<string> {
  const ExcelJS = (await import('exceljs')).default;
  const wb = new ExcelJS.Workbook();
  await wb.xlsx.load(bytes as unknown as ArrayBuffer);
  const lines: string[] = [];
  wb.eachSheet((sheet) => {
    lines.push(sheet.name);
    sheet.eachRow((row) => {
      const cells: string[] = [];
      row.eachCell((cell) => {
        const v = cell.text;
        if (v) cells.push(v);
      });
      if (cells.length) lines.push(cells.join(' '));
    });
  });
  return lines.join('\n');
}

/** UTF-8, else GB18030 (logs and notes written on Chinese Windows). */
export function decodeText(bytes: Buffer): string {
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes).replace(/^\uFEFF/, '');
  } catch {
    return new TextDecoder('gb18030').decode(bytes);
  }
}

function cleanText(s: string): string {
  return s
    .replace(/\u0000/g, '')
    .split(/\r?\n/)
    .map((l) => l.replace(/[ \t\u00a0]+/g, ' ').trim())
    .filter(Boolean)
    .join('\n');
}
