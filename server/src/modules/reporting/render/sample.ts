import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Resvg } from '@resvg/resvg-js';
import type { ReportDocument, ReportSection } from '../../../core/reporting/document.js';
import { renderReport, type ReportFormat } from './index.js';

/**
 * A realistic monthly service report of a hospital, for the renderers' tests and for anyone
 * who wants to look at the files: `node server/dist/modules/reporting/render/sample.js <dir>`
 * (after `npm run build -w server`) or `npx tsx server/src/modules/reporting/render/sample.ts <dir>`
 * writes sample.pdf, sample.docx and sample.xlsx there.
 */

const DEPARTMENTS = ['门诊部', '住院部', '急诊科', '放射科', '检验科', '药剂科', '信息科', '财务科', '手术室', '儿科'];
const CATEGORIES = ['HIS 系统故障', '打印机故障', '网络中断', 'PACS 影像调阅慢', '电脑蓝屏', '账号解锁', '自助机卡纸', '医保接口超时'];
const ENGINEERS = ['张伟', '李娜', '王强', '刘洋', '陈静'];
const PRIORITIES = ['P1 紧急', 'P2 高', 'P3 中', 'P4 低'];

/** A deterministic pseudo-random sequence (the sample must give the same bytes every run). */
function lcg(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

/** Ticket rows of the month: 'rows' of them, the same every time for the same count. */
export function sampleTicketRows(rows: number): Record<string, string | number | null>[] {
  const rnd = lcg(rows * 7919 + 11);
  const pick = <T>(xs: readonly T[]) => xs[Math.floor(rnd() * xs.length)]!;
  return Array.from({ length: rows }, (_, i) => {
    const day = 1 + (i % 30);
    const minutes = 10 + Math.floor(rnd() * 300);
    const met = rnd() > 0.08;
    return {
      number: `INC-2026-11-${String(i + 1).padStart(4, '0')}`,
      reported: `2026-11-${String(day).padStart(2, '0')} ${String(8 + (i % 10)).padStart(2, '0')}:${String((i * 7) % 60).padStart(2, '0')}`,
      department: pick(DEPARTMENTS),
      title: `${pick(DEPARTMENTS)}${pick(CATEGORIES)}${i % 9 === 0 ? '，影响挂号收费窗口，需现场处理并更换配件后恢复' : ''}`,
      priority: pick(PRIORITIES),
      engineer: pick(ENGINEERS),
      restore: `${Math.floor(minutes / 60)}小时${minutes % 60}分`,
      sla: met ? '达标' : '超时',
    };
  });
}

/** The sample provider's logo: a PNG drawn from shapes (no font, no file), as an admin would upload one. */
export function sampleLogo(): Uint8Array {
  const svg =
    '<svg xmlns="http://www.w3.org/2000/svg" width="240" height="64" viewBox="0 0 240 64">' +
    '<rect x="4" y="8" width="48" height="48" rx="10" fill="#1f3864"/>' +
    '<path d="M14 40 L24 22 L32 34 L38 26 L44 40 Z" fill="#ffffff"/>' +
    '<rect x="64" y="16" width="160" height="10" rx="3" fill="#1f3864"/>' +
    '<rect x="64" y="36" width="112" height="8" rx="3" fill="#c55a11"/>' +
    '</svg>';
  return new Resvg(svg, { fitTo: { mode: 'zoom', value: 2 }, font: { loadSystemFonts: false } }).render().asPng();
}

const MONTHS = ['2025-12', '2026-01', '2026-02', '2026-03', '2026-04', '2026-05', '2026-06', '2026-07', '2026-08', '2026-09', '2026-10', '2026-11'];

export function sampleReport(options: { tableRows?: number; signed?: boolean; logo?: boolean } = {}): ReportDocument {
  const rows = sampleTicketRows(options.tableRows ?? 60);
  const sections: ReportSection[] = [
    {
      key: 'summary',
      title: '服务概况',
      blocks: [
        {
          type: 'text',
          text:
            '2026年11月，我司按照《市第一人民医院信息系统运维服务合同》的约定，为贵院提供驻场与远程相结合的信息系统运维服务。本月共受理服务请求 412 件，其中故障类 268 件、服务请求类 121 件、咨询类 23 件，较上月增长 6.2%。\n\n' +
            '本月响应达标率 98.5%，解决达标率 96.1%，均达到合同约定的服务水平目标；一线解决率 41.3%，处于 30%–50% 的目标区间内。11月18日发生一起 HIS 数据库主备切换导致的门诊挂号中断（P1），持续 42 分钟，已完成根因分析并落实整改措施，详见第四部分。',
        },
        {
          type: 'kpis',
          items: [
            { code: 'response_rate', label: '响应达标率', text: '98.5%', value: 98.5, target: '≥95%', ok: true },
            { code: 'resolution_rate', label: '解决达标率', text: '96.1%', value: 96.1, target: '≥95%', ok: true },
            { code: 'first_line', label: '一线解决率', text: '41.3%', value: 41.3, target: '30%–50%', ok: true },
            { code: 'availability', label: '核心系统可用率', text: '99.90%', value: 99.9, target: '≥99.5%', ok: true },
            { code: 'mttr_p1', label: 'P1 平均恢复时间', text: '3小时12分', value: 192, target: '≤2小时', ok: false },
            { code: 'satisfaction', label: '满意度', text: '4.82 分', value: 4.82, target: '≥4.5 分', ok: true },
            { code: 'complaints', label: '投诉处理及时率', text: '—', value: null, target: '100%', ok: null },
          ],
        },
      ],
    },
    {
      key: 'volume',
      title: '服务量统计',
      blocks: [
        {
          type: 'chart',
          title: '近12个月服务请求量',
          chart: {
            kind: 'bar',
            categories: MONTHS,
            series: [
              { name: '故障', data: [231, 248, 190, 255, 262, 240, 251, 244, 258, 249, 252, 268] },
              { name: '服务请求', data: [98, 104, 87, 110, 115, 109, 118, 112, 120, 117, 115, 121] },
              { name: '咨询', data: [30, 28, 19, 25, 22, 27, 24, 21, 26, 20, 21, 23] },
            ],
            unit: '件',
            stacked: true,
          },
        },
        {
          type: 'table',
          title: '按科室统计',
          columns: [
            { key: 'dept', label: '科室' },
            { key: 'count', label: '请求数', align: 'right' },
            { key: 'share', label: '占比', align: 'right' },
            { key: 'mttr', label: '平均恢复时间', align: 'right' },
          ],
          rows: DEPARTMENTS.map((dept, i) => ({ dept, count: 80 - i * 7, share: `${(((80 - i * 7) / 412) * 100).toFixed(1)}%`, mttr: `${1 + (i % 3)}小时${(i * 13) % 60}分` })),
        },
      ],
    },
    {
      key: 'sla',
      title: '服务水平达成情况',
      blocks: [
        {
          type: 'chart',
          title: '响应与解决达标率趋势',
          chart: {
            kind: 'line',
            categories: MONTHS,
            series: [
              { name: '响应达标率', data: [98.2, 97.5, null, 96.1, 99.0, 97.7, 98.4, null, 95.2, 98.8, 99.1, 98.5] },
              { name: '解决达标率', data: [94.1, 93.2, null, 92.0, 96.5, 95.5, 97.0, null, 91.8, 96.2, 97.3, 96.1] },
            ],
            unit: '%',
            marks: [{ label: '目标', value: 95 }],
          },
        },
        { type: 'text', text: '2月与7月因系统迁移期间未启用 SLA 计时，无统计数据，图中以断点表示。' },
      ],
    },
    {
      key: 'major_incidents',
      title: '重大故障',
      blocks: [
        {
          type: 'table',
          title: '本月重大故障',
          columns: [
            { key: 'number', label: '工单号' },
            { key: 'what', label: '故障描述' },
            { key: 'duration', label: '影响时长', align: 'right' },
            { key: 'cause', label: '根本原因' },
          ],
          rows: [{ number: 'INC-2026-11-0187', what: 'HIS 数据库主备切换失败，门诊挂号收费中断', duration: '42分钟', cause: '备库归档日志空间不足导致切换脚本超时；已扩容并增加空间告警。' }],
          note: '重大故障指 P1 级别或影响门急诊业务超过 15 分钟的故障。',
        },
      ],
    },
    {
      key: 'satisfaction',
      title: '满意度与投诉',
      blocks: [
        {
          type: 'chart',
          title: '服务请求按故障类别分布',
          chart: { kind: 'pie', categories: ['硬件故障', '软件故障', '网络故障', '咨询', '其他'], series: [{ name: '工单', data: [142, 126, 61, 23, null] }], unit: '件' },
        },
        { type: 'text', text: '本月回访 186 次，满意 179 次，一般 6 次，不满意 1 次（放射科反映 PACS 影像调阅慢，已优化存储链路）。本月无投诉。' },
      ],
    },
    {
      key: 'tickets',
      title: '服务请求明细',
      blocks: [
        {
          type: 'table',
          title: '本月服务请求明细',
          columns: [
            { key: 'number', label: '工单号' },
            { key: 'reported', label: '报告时间' },
            { key: 'title', label: '标题' },
            { key: 'priority', label: '优先级', align: 'center' },
            { key: 'engineer', label: '工程师', align: 'center' },
            { key: 'restore', label: '恢复时间', align: 'right' },
            { key: 'sla', label: 'SLA', align: 'center' },
          ],
          rows,
        },
      ],
    },
    { key: 'risks', title: '风险与改进建议', blocks: [{ type: 'text', text: '1. 住院部部分终端已使用超过六年，故障率明显上升，建议纳入明年更新计划。\n2. 医保接口超时集中在月末结算高峰，建议与医保中心协调扩容专线带宽。' }] },
    { key: 'plan', title: '下月工作计划', blocks: [] },
  ];
  return {
    title: '市第一人民医院 2026年11月 月度服务报告',
    number: 'RPT-MS-2026-11-HOSP01',
    version: 2,
    locale: 'zh-CN',
    providerName: '浙江云维信息技术有限公司',
    customerName: '市第一人民医院',
    contractName: '2026年度信息系统运维服务合同（YW-2026-018）',
    periodLabel: '2026年11月',
    periodFrom: '2026-11-01',
    periodTo: '2026-11-30',
    generatedAt: '2026-12-01 08:00',
    issuedAt: '2026-12-03 16:20',
    preparedBy: '周敏（项目经理）',
    reviewedBy: '吴涛（服务总监）',
    letterhead: { text: '浙江云维信息技术有限公司 · 服务热线 0571-8888 1234', logo: options.logo === false ? null : sampleLogo() },
    sections,
    signoff: options.signed ? { outcome: 'signed', signerName: '郑主任（信息科）', signedAt: '2026-12-05 10:30', zone: 'Asia/Shanghai，UTC+08:00', comment: '本月服务情况属实，同意。请关注住院部终端更新计划。' } : null,
  };
}

async function main(dir: string): Promise<void> {
  fs.mkdirSync(dir, { recursive: true });
  const doc = sampleReport({ signed: true });
  for (const format of ['pdf', 'docx', 'xlsx'] as ReportFormat[]) {
    const file = path.join(dir, `sample.${format}`);
    fs.writeFileSync(file, await renderReport(doc, format));
    console.log(file);
  }
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  main(process.argv[2] ?? '.').catch((e: unknown) => {
    console.error(e);
    process.exit(1);
  });
}
