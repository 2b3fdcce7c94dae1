import { describe, expect, it } from 'vitest';
import ExcelJS from 'exceljs';
import { Document, Packer, Paragraph } from 'docx';
import { checkType, decodeText, extractText } from './extract.js';
import { dataImagesOf, sanitizeArticleHtml } from './sanitize.js';
import { weeksCovering } from './week.js';

describe('knowledge documents: type check and text extraction', () => {
  it('reads the text of a Word document and of a workbook', async () => {
    const docx = await Packer.toBuffer(new Document({ sections: [{ children: [new Paragraph({ text: '机房 UPS 每月巡检' }), new Paragraph({ text: '电池电压偏差不超过 0.5V' })] }] }));
    expect(checkType('维护手册.docx', docx)).toEqual({ ok: true, ext: 'docx' });
    expect(await extractText('docx', docx)).toBe('机房 UPS 每月巡检\n电池电压偏差不超过 0.5V');
    const wb = new ExcelJS.Workbook();
    const sheet = wb.addWorksheet('备件清单');
    sheet.addRow(['型号', '数量']);
    sheet.addRow(['HP 分页器 RM1-6303', 4]);
    const xlsx = Buffer.from(await wb.xlsx.writeBuffer());
    expect(await extractText('xlsx', xlsx)).toBe('备件清单\n型号 数量\nHP 分页器 RM1-6303 4');
  });

  it('refuses a file whose content is not what its name says, and a damaged one', async () => {
    expect(checkType('手册.pdf', Buffer.from('just text'))).toMatchObject({ ok: false, problem: 'mismatch', detected: 'text' });
    expect(checkType('手册.exe', Buffer.from('MZ\u0000\u0001'))).toMatchObject({ ok: false, problem: 'unsupported' });
    await expect(extractText('pdf', Buffer.from('%PDF-1.4\nbroken'))).rejects.toThrow();
    await expect(extractText('docx', Buffer.from([0x50, 0x4b, 0x03, 0x04, 1, 2, 3]))).rejects.toThrow();
  });

  it('reads text files written on Chinese Windows (GB18030)', () => {
    const gbk = Buffer.from([0xb4, 0xf2, 0xd3, 0xa1, 0xbb, 0xfa]); // 打印机 in GBK
    expect(decodeText(gbk)).toBe('打印机');
    expect(decodeText(Buffer.from('\uFEFF卡纸', 'utf8'))).toBe('卡纸');
  });

  it('finds pasted images and keeps only our own file URLs', () => {
    const html = '<p>截图</p><img src="data:image/png;base64,iVBORw0KGgo="><img src="https://evil.example/x.png"><img src="/api/v1/knowledge/files/12">';
    expect(dataImagesOf(html).map((d) => d.mime)).toEqual(['image/png']);
    expect(sanitizeArticleHtml(html)).toBe('<p>截图</p><img src="/api/v1/knowledge/files/12" />');
    expect(sanitizeArticleHtml('<a href="JaVaScRiPt:alert(1)">x</a><a href="https://kb.example/a">y</a>')).toBe('<a target="_blank" rel="noopener noreferrer nofollow">x</a><a href="https://kb.example/a" target="_blank" rel="noopener noreferrer nofollow">y</a>');
  });
});

describe('weeks of a period', () => {
  it('are the Monday weeks that hold any of its days, in the zone', () => {
    // Wednesday 3 June to Tuesday 16 June 2026: three weeks, the first and last cut by the period
    const weeks = weeksCovering('2026-06-03', '2026-06-16', 'Asia/Shanghai');
    expect(weeks.map((w) => w.start)).toEqual(['2026-06-01', '2026-06-08', '2026-06-15']);
    expect(new Date(weeks[0].from).toISOString()).toBe('2026-05-31T16:00:00.000Z');
    // a period of exactly one Monday–Sunday week is one week
    expect(weeksCovering('2026-06-08', '2026-06-14', 'Asia/Shanghai').map((w) => w.start)).toEqual(['2026-06-08']);
  });
});
