import { Resvg } from '@resvg/resvg-js';
import * as echarts from 'echarts';
import { chartOption } from '../../../core/reporting/charts.js';
import type { ChartSpec } from '../../../core/reporting/document.js';
import { fontFamilyName, type FontChoice } from '../../../platform/pdf/fonts.js';
import { svgTextToPaths } from './svg-text.js';

/**
 * A report chart drawn on the server with ECharts' SSR SVG renderer. The SVG names the CJK
 * font's own family, so the PDF (vector, via svg-to-pdfkit) and the PNG for Word (resvg, the
 * texts turned into that font's outlines first) both draw Chinese with the report's font.
 */

/** The chart's own coordinate system in px; the renderers scale it to the page. */
export const CHART_WIDTH = 640;
export const CHART_HEIGHT = 300;

export function chartSvg(spec: ChartSpec, font: FontChoice, width = CHART_WIDTH, height = CHART_HEIGHT): string {
  const chart = echarts.init(null, null, { renderer: 'svg', ssr: true, width, height });
  try {
    // 13 px: the PDF prints the 640 px chart about 440 pt wide, so axis labels land near 8 pt.
    chart.setOption(chartOption(spec, { fontFamily: fontFamilyName(font), width, fontSize: 13 }));
    return chart.renderToSVGString();
  } finally {
    chart.dispose();
  }
}

/**
 * The SVG for svg-to-pdfkit, which ignores `paint-order`: ECharts gives some labels a white
 * halo (a stroke painted under the fill), and drawn in document order the halo covers the text.
 * Without the halo the labels read the same on the white page.
 */
export function chartSvgForPdf(spec: ChartSpec, font: FontChoice): string {
  return (
    chartSvg(spec, font)
      .replace(/<text\b[^>]*>/g, (tag) =>
        tag.includes('paint-order="stroke"') ? tag.replace(/\s(?:stroke|stroke-width|paint-order|stroke-miterlimit)="[^"]*"/g, '') : tag,
      )
      // The root's own size in px would win over the box the page gives (and count as 0.75 pt each):
      // without it the viewBox is fitted to that box.
      .replace(/<svg\b[^>]*>/, (tag) => tag.replace(/\s(?:width|height)="[^"]*"/g, ''))
  );
}

/** The chart as a PNG at `scale` × its px size (2: sharp when Word prints it at 16 cm). */
export function chartPng(spec: ChartSpec, font: FontChoice, scale = 2, width = CHART_WIDTH, height = CHART_HEIGHT): Buffer {
  const resvg = new Resvg(svgTextToPaths(chartSvg(spec, font, width, height), font), {
    fitTo: { mode: 'zoom', value: scale },
    background: '#ffffff',
    // The texts are outlines already; no font of the server's may creep in.
    font: { loadSystemFonts: false },
  });
  return resvg.render().asPng();
}
