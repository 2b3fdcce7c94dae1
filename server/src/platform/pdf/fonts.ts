import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import * as fontkit from 'fontkit';

/**
 * The Chinese font embedded (as a subset) in the PDFs. Without one pdfkit draws Chinese as
 * nothing at all, and a user's server may have no CJK font installed, so the lookup ends with a
 * font shipped with the product. Order:
 *
 * 1. `PDF_FONT` (TTF, OTF or TTC; `PDF_FONT_FAMILY` names the font inside a .ttc): when set it
 *    must work, so a mistake shows at startup instead of in a customer's PDF;
 * 2. the system's CJK fonts, best first (`SYSTEM_FONTS`);
 * 3. the bundled Noto Sans Hans Regular of `@embedpdf/fonts-sc` (SIL OFL 1.1, GB2312 coverage).
 */
export interface FontChoice {
  path: string;
  /** The PostScript name of the font inside a collection (.ttc). */
  family: string | null;
  source: 'env' | 'system' | 'bundled';
}

export interface FontCandidate {
  path: string;
  family: string | null;
}

/** Where Linux distributions put their CJK fonts (Debian/Ubuntu, Fedora/RHEL, Arch). */
export const SYSTEM_FONTS: readonly FontCandidate[] = [
  { path: '/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc', family: 'NotoSansCJKsc-Regular' },
  { path: '/usr/share/fonts/google-noto-cjk/NotoSansCJK-Regular.ttc', family: 'NotoSansCJKsc-Regular' },
  { path: '/usr/share/fonts/noto-cjk/NotoSansCJK-Regular.ttc', family: 'NotoSansCJKsc-Regular' },
  { path: '/usr/share/fonts/truetype/wqy/wqy-microhei.ttc', family: 'WenQuanYiMicroHei' },
  { path: '/usr/share/fonts/wqy-microhei/wqy-microhei.ttc', family: 'WenQuanYiMicroHei' },
  { path: '/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc', family: 'WenQuanYiZenHei' },
  { path: '/usr/share/fonts/wqy-zenhei/wqy-zenhei.ttc', family: 'WenQuanYiZenHei' },
];

/** The font shipped with the product, or null when the package is missing from node_modules. */
export function bundledFont(): string | null {
  try {
    const main = createRequire(import.meta.url).resolve('@embedpdf/fonts-sc');
    const file = path.resolve(path.dirname(main), '..', 'fonts', 'NotoSansHans-Regular.otf');
    return fs.existsSync(file) ? file : null;
  } catch {
    return null;
  }
}

/** TrueType, OpenType (CFF) or a collection, judged by the first bytes. */
function fontKind(file: string): 'single' | 'collection' | null {
  const fd = fs.openSync(file, 'r');
  try {
    const head = Buffer.alloc(4);
    fs.readSync(fd, head, 0, 4, 0);
    const tag = head.toString('latin1');
    if (tag === 'ttcf') return 'collection';
    if (tag === 'OTTO' || tag === 'true' || head.readUInt32BE(0) === 0x00010000) return 'single';
    return null;
  } finally {
    fs.closeSync(fd);
  }
}

export function findCjkFont(
  env: { font: string | null; fontFamily: string | null },
  candidates: readonly FontCandidate[] = SYSTEM_FONTS,
  bundled: string | null = bundledFont(),
): FontChoice {
  if (env.font) {
    if (!fs.existsSync(env.font)) throw new Error(`PDF_FONT: ${env.font} does not exist`);
    const kind = fontKind(env.font);
    if (!kind) throw new Error(`PDF_FONT: ${env.font} is not a TrueType/OpenType font or collection (WOFF/WOFF2 cannot be embedded)`);
    if (kind === 'collection' && !env.fontFamily) throw new Error(`PDF_FONT: ${env.font} is a collection (.ttc); set PDF_FONT_FAMILY to the PostScript name of the font to use (e.g. NotoSansCJKsc-Regular)`);
    return { path: env.font, family: kind === 'collection' ? env.fontFamily : null, source: 'env' };
  }
  const system = candidates.find((c) => fs.existsSync(c.path));
  if (system) return { path: system.path, family: system.family, source: 'system' };
  if (bundled) return { path: bundled, family: null, source: 'bundled' };
  throw new Error('No Chinese font for PDFs: install fonts-noto-cjk or fonts-wqy-microhei, set PDF_FONT, or reinstall the dependencies (@embedpdf/fonts-sc)');
}

/** The font file, read once per process (pdfkit parses it per document; the read is the slow part on a cold disk). */
const fontBytes = new Map<string, Buffer>();
export function fontBuffer(font: FontChoice): Buffer {
  let bytes = fontBytes.get(font.path);
  if (!bytes) {
    bytes = fs.readFileSync(font.path);
    fontBytes.set(font.path, bytes);
  }
  return bytes;
}

/**
 * The family name inside the font file ('WenQuanYi Micro Hei', 'Noto Sans CJK SC' …): what an
 * SVG or a Word document must name for a renderer to pick this font, which is not the file name
 * nor (for a .ttc) the PostScript name the choice carries.
 */
const familyNames = new Map<string, string>();
export function fontFamilyName(font: FontChoice): string {
  const key = `${font.path}#${font.family ?? ''}`;
  let name = familyNames.get(key);
  if (!name) {
    const parsed = fontkit.create(fontBuffer(font), font.family ?? undefined);
    // A collection opened without a PostScript name gives the collection, not a font: take its first face.
    const face = 'fonts' in parsed ? parsed.fonts[0] : parsed;
    name = face?.familyName || font.family || 'sans-serif';
    familyNames.set(key, name);
  }
  return name;
}
