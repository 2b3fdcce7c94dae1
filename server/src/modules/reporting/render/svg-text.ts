import * as fontkit from 'fontkit';
import { fontBuffer, type FontChoice } from '../../../platform/pdf/fonts.js';

/**
 * ECharts' SVG texts turned into outlines of the report's CJK font, before resvg rasterises the
 * chart for Word. resvg lays each text out itself and, given a 5–16 MB CJK font, spends about
 * 6 ms per label re-reading it (a chart has 20–50 labels); fontkit has the font parsed once,
 * so the picture costs tens of milliseconds instead of half a second, and looks the same.
 *
 * Handles what ECharts' SSR writes for text: x/y, a transform, text-anchor, dominant-baseline
 * (central, middle, hanging, alphabetic…), font-size in the style, fill and stroke attributes.
 */

const faces = new Map<string, fontkit.Font>();
/** The font parsed once per process (fontkit), for outlines and glyph coverage. */
export function face(font: FontChoice): fontkit.Font {
  const key = `${font.path}#${font.family ?? ''}`;
  let f = faces.get(key);
  if (!f) {
    const parsed = fontkit.create(fontBuffer(font), font.family ?? undefined);
    f = 'fonts' in parsed ? parsed.fonts[0]! : parsed;
    faces.set(key, f);
  }
  return f;
}

function unescapeXml(s: string): string {
  return s.replace(/&(#x[0-9a-f]+|#\d+|amp|lt|gt|quot|apos);/gi, (_, e: string) => {
    if (e[0] === '#') return String.fromCodePoint(e[1] === 'x' || e[1] === 'X' ? parseInt(e.slice(2), 16) : parseInt(e.slice(1), 10));
    return ({ amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" } as Record<string, string>)[e.toLowerCase()]!;
  });
}

function attr(tag: string, name: string): string | undefined {
  return new RegExp(`\\s${name}="([^"]*)"`).exec(tag)?.[1];
}

/** Where the baseline sits below the y of the text, in em, for a dominant-baseline value. */
function baselineShift(f: fontkit.Font, baseline: string | undefined): number {
  const ascent = f.ascent / f.unitsPerEm;
  const descent = f.descent / f.unitsPerEm; // negative
  switch (baseline) {
    case 'central':
    case 'middle':
      return (ascent + descent) / 2;
    case 'hanging':
    case 'text-before-edge':
      return ascent;
    case 'text-after-edge':
    case 'ideographic':
      return descent;
    default:
      return 0;
  }
}

const KEPT = /\s(transform|fill|fill-opacity|stroke|stroke-width|stroke-opacity|paint-order|stroke-miterlimit|opacity)="[^"]*"/g;

export function svgTextToPaths(svg: string, font: FontChoice): string {
  const f = face(font);
  return svg.replace(/<text\b([^>]*)>([\s\S]*?)<\/text>/g, (_, attrs: string, body: string) => {
    const tag = ` ${attrs}`;
    const text = unescapeXml(body.replace(/<[^>]+>/g, ''));
    if (!text.trim()) return '';
    const size = Number(/font-size:\s*([\d.]+)px/.exec(attr(tag, 'style') ?? '')?.[1] ?? 12);
    const scale = size / f.unitsPerEm;
    const run = f.layout(text);
    const width = run.glyphs.reduce((w, _g, i) => w + run.positions[i]!.xAdvance, 0) * scale;
    const anchor = attr(tag, 'text-anchor');
    let x = Number(attr(tag, 'x') ?? 0) - (anchor === 'middle' ? width / 2 : anchor === 'end' ? width : 0);
    const y = Number(attr(tag, 'y') ?? 0) + baselineShift(f, attr(tag, 'dominant-baseline')) * size;
    let d = '';
    run.glyphs.forEach((g, i) => {
      const p = run.positions[i]!;
      d += g.path
        .scale(scale, -scale)
        .translate(x + p.xOffset * scale, y - p.yOffset * scale)
        .toSVG();
      x += p.xAdvance * scale;
    });
    const kept = tag.match(KEPT)?.join('') ?? '';
    return d ? `<path d="${d}"${kept}/>` : '';
  });
}
