import { EVIDENCE_REQUIREMENTS, NOT_RECORDED_ZH, OFFLINE_ZH, PENDING_MODULES, RECORD_SECTIONS, type EvidenceRequirement, type PackSource } from '../../../core/reporting/evidence-map.js';
import { KIND_ZH, label, localTime, NONE, STATE_ZH } from './labels.js';
import { PATHS, type PackPlan } from './plan.js';

/**
 * The pack's index.html: one self-contained Chinese page (inline CSS, no script, no network) that
 * opens in any browser straight from the unzipped folder. It maps every requirement of
 * REQUIREMENTS §5 to the files of the pack that evidence it (relative links), says plainly where
 * the system keeps no such record, and lists every ticket with its SLA outcome.
 */
export interface EvidenceLink {
  text: string;
  href?: string;
}

export interface RequirementEvidence {
  req: EvidenceRequirement;
  links: EvidenceLink[];
  /** 已提供 | 期间内无记录 | NOT_RECORDED_ZH | OFFLINE_ZH, joined when several apply. */
  status: string;
}

const REPAIR_LINKS_INLINE = 12;

/** Resolves the evidence map against this pack: the one place both index.html and index.xlsx take their rows from. */
export function resolveEvidence(plan: PackPlan): RequirementEvidence[] {
  const complaints = plan.tickets.filter((t) => t.kind === 'complaint');
  const perSource = (s: PackSource): { links: EvidenceLink[]; any: boolean } => {
    switch (s) {
      case 'tickets':
        return { links: [{ text: `工单清单（${plan.tickets.length} 张）`, href: '#tickets' }, { text: PATHS.tickets, href: PATHS.tickets }], any: plan.tickets.length > 0 };
      case 'sla':
        return { links: [{ text: `${PATHS.tickets}（SLA 达成）`, href: PATHS.tickets }, { text: `${PATHS.indexXlsx}（工单 SLA）`, href: PATHS.indexXlsx }], any: plan.tickets.some((t) => t.sla.length > 0) };
      case 'repair_reports': {
        const files = plan.repairReports.flatMap((r) => [r.pdf?.file, r.scan?.file].filter((f): f is string => !!f));
        const links: EvidenceLink[] = files.slice(0, REPAIR_LINKS_INLINE).map((f) => ({ text: f, href: f }));
        if (files.length > REPAIR_LINKS_INLINE) links.push({ text: `全部 ${plan.repairReports.length} 份维修服务报告`, href: '#repair-reports' });
        return { links, any: files.length > 0 };
      }
      case 'service_reports':
        return { links: [{ text: `服务报告（${plan.serviceReports.length} 份）`, href: '#service-reports' }], any: plan.serviceReports.length > 0 };
      case 'satisfaction':
        return { links: [{ text: `${PATHS.satisfaction}（满意度评价 ${plan.ratings.length} 条）`, href: PATHS.satisfaction }], any: plan.ratings.length > 0 };
      case 'complaints':
        return { links: [{ text: `${PATHS.satisfaction}（投诉 ${complaints.length} 件）`, href: PATHS.satisfaction }, ...complaints.slice(0, REPAIR_LINKS_INLINE).map((t) => ({ text: t.file, href: t.file }))], any: complaints.length > 0 };
      case 'audit':
        return { links: [{ text: PATHS.auditLog, href: PATHS.auditLog }, { text: PATHS.chain, href: PATHS.chain }], any: true };
      case 'knowledge': {
        const { weeks, saves } = plan.knowledge;
        const updated = weeks.filter((w) => w.created + w.updated > 0).length;
        return { links: [{ text: `${PATHS.knowledge}（${weeks.length} 周中 ${updated} 周有更新，共 ${saves.length} 次）`, href: PATHS.knowledge }], any: saves.length > 0 };
      }
      case 'assets':
        return { links: [{ text: `${PATHS.assetRegister}（${plan.cmdb.assets} 项）`, href: PATHS.assetRegister }], any: plan.cmdb.assets > 0 };
      case 'devices':
        return { links: [{ text: `${PATHS.devices}（${plan.cmdb.devices} 台）`, href: PATHS.devices }], any: plan.cmdb.devices > 0 };
      case 'verification':
        return { links: plan.cmdb.campaigns.flatMap((k) => [{ text: `${k.pdf}（${k.name}）`, href: k.pdf }, { text: k.xlsx, href: k.xlsx }]), any: plan.cmdb.campaigns.length > 0 };
      case 'parts': {
        const links: EvidenceLink[] = [{ text: `${PATHS.partsRequisitions}（${plan.cmdb.slips.length} 张）`, href: PATHS.partsRequisitions }, ...plan.cmdb.slips.slice(0, REPAIR_LINKS_INLINE).map((x) => ({ text: x.file, href: x.file }))];
        return { links, any: plan.cmdb.slips.length > 0 };
      }
      case 'vendor_repairs': {
        const links: EvidenceLink[] = [{ text: `${PATHS.repairOrders}（${plan.cmdb.orders.length} 张送修单）`, href: PATHS.repairOrders }, ...plan.cmdb.orders.slice(0, REPAIR_LINKS_INLINE).map((x) => ({ text: x.file, href: x.file }))];
        return { links, any: plan.cmdb.orders.length > 0 };
      }
    }
  };
  return EVIDENCE_REQUIREMENTS.map((req) => {
    const links: EvidenceLink[] = [];
    const status: string[] = [];
    let anyPack = false;
    for (const s of req.pack ?? []) {
      if (s === 'service_reports') {
        const reports = plan.serviceReports.filter((r) => !req.reportTypes || req.reportTypes.includes(r.type as never));
        links.push(...reports.flatMap((r) => [{ text: `${r.pdf.file}（${r.typeZh} ${r.period}）`, href: r.pdf.file }, ...(r.signedPdf ? [{ text: `${r.signedPdf.file}（客户签收版）`, href: r.signedPdf.file }] : [])]));
        status.push(reports.length ? `服务报告：已提供 ${reports.length} 份` : '服务报告：期间内无已签发的此类报告');
        continue;
      }
      const got = perSource(s);
      links.push(...got.links);
      anyPack ||= got.any;
    }
    if (req.pack?.some((s) => s !== 'service_reports')) status.unshift(anyPack ? '已提供' : '期间内无记录');
    for (const m of req.pending ?? []) status.push(`${PENDING_MODULES[m].zh}：${NOT_RECORDED_ZH}`);
    if (req.offline) status.push(OFFLINE_ZH);
    return { req, links: dedupe(links), status: status.join('；') };
  });
}

function dedupe(links: EvidenceLink[]): EvidenceLink[] {
  const seen = new Set<string>();
  return links.filter((l) => (seen.has(l.text) ? false : (seen.add(l.text), true)));
}

export function esc(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

const link = (l: EvidenceLink) => (l.href ? `<a href="${esc(l.href)}">${esc(l.text)}</a>` : esc(l.text));

export function chainSentence(plan: PackPlan): string {
  const c = plan.chain;
  if (c.lastId === null) return '期间结束前审计日志没有记录，无可校验的链段。';
  if (c.ok) return `通过：审计日志第 1 条至第 ${c.lastId} 条（期间结束前写入的最后一条，共 ${c.rows} 条）的哈希链完整，未发现修改或删除。`;
  return `未通过：第 ${c.firstBadId} 条${c.reason === 'altered' ? '内容被修改' : '与前一条不衔接（其前有记录被删除）'}。校验范围为第 1 条至第 ${c.lastId} 条。`;
}

export function renderIndexHtml(plan: PackPlan, evidence: RequirementEvidence[]): string {
  const tz = plan.customer.timeZone;
  const when = (ms: number | null) => localTime(ms, tz);
  const title = `运维服务证据包：${plan.customer.name}（${plan.period.from} 至 ${plan.period.to}）`;
  const reqRows = (group: 'report' | 'kpi') =>
    evidence
      .filter((e) => e.req.group === group)
      .map(
        (e) =>
          `<tr><td>${e.req.id}</td><td>${esc(e.req.zh)}${e.req.note ? `<div class="note">${esc(e.req.note)}</div>` : ''}</td><td>${esc(e.req.target)}</td><td class="src">${esc(e.req.source)}</td><td>${e.links.map(link).join('<br>') || NONE}</td><td class="${/^(已提供|服务报告：已提供)/.test(e.status) ? 'ok' : 'gap'}">${esc(e.status)}</td></tr>`,
      )
      .join('\n');
  const sectionRows = RECORD_SECTIONS.map((s) => {
    const counts: Partial<Record<string, string>> = {
      tickets: `${plan.tickets.length} 张工单，见 <a href="#tickets">工单清单</a> 与 <a href="${PATHS.tickets}">${PATHS.tickets}</a>`,
      repair_reports: `${plan.repairReports.length} 份已签字的维修服务报告，见 <a href="#repair-reports">维修服务报告</a>`,
      service_reports: `${plan.serviceReports.length} 份已签发的服务报告，见 <a href="#service-reports">服务报告</a>`,
      satisfaction: `${plan.ratings.length} 条评价、${plan.tickets.filter((t) => t.kind === 'complaint').length} 件投诉，见 <a href="${PATHS.satisfaction}">${PATHS.satisfaction}</a>`,
      audit: `${plan.auditRows} 条审计记录，见 <a href="${PATHS.auditLog}">${PATHS.auditLog}</a> 与 <a href="${PATHS.chain}">${PATHS.chain}</a>`,
      assets: `资产台账 ${plan.cmdb.assets} 项，见 <a href="${PATHS.assetRegister}">${PATHS.assetRegister}</a>；机房设备 ${plan.cmdb.devices} 台，见 <a href="${PATHS.devices}">${PATHS.devices}</a>`,
      verification: plan.cmdb.campaigns.length ? plan.cmdb.campaigns.map((k) => `${esc(k.name)}：<a href="${esc(k.pdf)}">PDF</a>、<a href="${esc(k.xlsx)}">Excel</a>`).join('；') : '期间内无资产盘点',
      parts: `${plan.cmdb.slips.length} 张备件领用单，见 <a href="${PATHS.partsRequisitions}">${PATHS.partsRequisitions}</a>`,
      vendor_repairs: `${plan.cmdb.orders.length} 张设备送修单（进度报告 ${plan.cmdb.orders.reduce((n, o) => n + o.reports, 0)} 份），见 <a href="${PATHS.repairOrders}">${PATHS.repairOrders}</a>`,
      knowledge: `知识文章新增 ${plan.knowledge.saves.filter((x) => x.version === 1).length} 篇、更新 ${plan.knowledge.saves.filter((x) => x.version > 1).length} 次（${plan.knowledge.weeks.filter((w) => w.created + w.updated > 0).length}/${plan.knowledge.weeks.length} 周有更新），见 <a href="${PATHS.knowledge}">${PATHS.knowledge}</a>`,
    };
    return `<tr><td>${esc(s.zh)}</td><td>${counts[s.key] ?? esc(NOT_RECORDED_ZH)}</td></tr>`;
  }).join('\n');
  const ticketRows = plan.tickets
    .map((t) => {
      const sla = t.sla.map((s) => `${s.metric}${s.result}`).join('，') || NONE;
      const breached = t.sla.some((s) => s.met === false);
      return `<tr><td><a href="${esc(t.file)}">${esc(t.number)}</a></td><td>${esc(label(KIND_ZH, t.kind))}</td><td>${esc(t.title)}</td><td>${esc(t.priority)}</td><td>${esc(label(STATE_ZH, t.state))}</td><td>${when(t.reportedAt)}</td><td>${when(t.resolvedAt)}</td><td class="${breached ? 'gap' : ''}">${esc(sla)}</td><td>${t.rating ? t.rating.score : NONE}</td></tr>`;
    })
    .join('\n');
  const repairRows = plan.repairReports
    .map((r) => `<tr><td>${r.pdf ? `<a href="${esc(r.pdf.file)}">${esc(r.number)}</a>` : esc(r.number)}</td><td>${esc(r.ticketNumber)}</td><td>${esc(r.signerName ?? NONE)}</td><td>${when(r.signedAt)}</td><td>${r.scan ? `<a href="${esc(r.scan.file)}">纸质签字扫描件</a>` : NONE}</td></tr>`)
    .join('\n');
  const serviceRows = plan.serviceReports
    .map((r) => `<tr><td><a href="${esc(r.pdf.file)}">${esc(r.number)}</a></td><td>${esc(r.typeZh)}</td><td>${esc(r.period)}</td><td>第 ${r.seq} 版，${when(r.issuedAt)}</td><td>${r.state === 'signed' ? `已签收：${esc(r.signerName ?? NONE)}，${when(r.signedAt)}${r.signedPdf ? `（<a href="${esc(r.signedPdf.file)}">签收版</a>）` : ''}` : '已签发，待客户签收'}</td></tr>`)
    .join('\n');
  return `<!DOCTYPE html>
<html lang="zh-CN">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${esc(title)}</title>
<style>
body{font-family:"PingFang SC","Microsoft YaHei","Noto Sans CJK SC","WenQuanYi Micro Hei",sans-serif;margin:24px auto;max-width:1200px;padding:0 16px;color:#222;line-height:1.5}
h1{font-size:22px}h2{font-size:18px;margin-top:32px;border-bottom:1px solid #ccc;padding-bottom:4px}
table{border-collapse:collapse;width:100%;font-size:13px}th,td{border:1px solid #ccc;padding:4px 6px;vertical-align:top;text-align:left}
th{background:#f3f3f3}.ok{color:#1a7f37}.gap{color:#b35900}.src{color:#666;white-space:nowrap}.note{color:#666;font-size:12px}
dl{display:grid;grid-template-columns:max-content 1fr;gap:4px 16px}dt{color:#666}dd{margin:0}
</style>
</head>
<body>
<h1 id="title">${esc(title)}</h1>
<dl>
<dt>客户</dt><dd>${esc(plan.customer.name)}（${esc(plan.customer.code)}）</dd>
<dt>合同</dt><dd>${plan.contracts.map((c) => `${esc(c.name)}（${esc(c.code)}，${c.startsOn} 至 ${c.endsOn}）`).join('<br>') || NONE}</dd>
<dt>期间</dt><dd>${plan.period.from} 至 ${plan.period.to}（客户所在时区 ${esc(tz)}）</dd>
<dt>数据截止</dt><dd>${when(plan.asOf)}（证据包按期间结束时间标注，同一期间再次导出内容相同；实际导出时间见系统中的导出记录）</dd>
<dt>审计链校验</dt><dd id="chain" class="${plan.chain.ok ? 'ok' : 'gap'}">${esc(chainSentence(plan))}</dd>
<dt>文件清单</dt><dd><a href="${PATHS.manifest}">${PATHS.manifest}</a>（每个文件的 SHA-256）；<a href="${PATHS.indexXlsx}">${PATHS.indexXlsx}</a>（本对照表与工单清单的 Excel 版）</dd>
</dl>

<h2 id="mapping">ITSS 要求与证据对照（REQUIREMENTS §5.1 报告与记录）</h2>
<table>
<thead><tr><th>编号</th><th>要求</th><th>周期/目标</th><th>依据</th><th>证据文件</th><th>状态</th></tr></thead>
<tbody>
${reqRows('report')}
</tbody>
</table>

<h2 id="kpis">ITSS 考核指标与证据对照（REQUIREMENTS §5.2）</h2>
<table>
<thead><tr><th>编号</th><th>指标</th><th>目标</th><th>依据</th><th>证据文件</th><th>状态</th></tr></thead>
<tbody>
${reqRows('kpi')}
</tbody>
</table>

<h2 id="records">服务记录</h2>
<table>
<thead><tr><th>记录</th><th>本期内容</th></tr></thead>
<tbody>
${sectionRows}
</tbody>
</table>

<h2 id="tickets">工单清单（${plan.tickets.length} 张，按工单号）</h2>
<table>
<thead><tr><th>工单号</th><th>类型</th><th>标题</th><th>优先级</th><th>状态</th><th>报告时间</th><th>解决时间</th><th>SLA</th><th>评分</th></tr></thead>
<tbody>
${ticketRows || `<tr><td colspan="9">期间内无工单</td></tr>`}
</tbody>
</table>

<h2 id="service-reports">服务报告（${plan.serviceReports.length} 份，本期间的已签发报告）</h2>
<table>
<thead><tr><th>报告编号</th><th>类型</th><th>报告期</th><th>签发</th><th>客户签收</th></tr></thead>
<tbody>
${serviceRows || `<tr><td colspan="5">期间内无已签发的服务报告</td></tr>`}
</tbody>
</table>

<h2 id="repair-reports">维修服务报告（${plan.repairReports.length} 份，已签字）</h2>
<table>
<thead><tr><th>报告编号</th><th>工单号</th><th>签字人</th><th>签字时间</th><th>扫描件</th></tr></thead>
<tbody>
${repairRows || `<tr><td colspan="5">期间内无已签字的维修服务报告</td></tr>`}
</tbody>
</table>
</body>
</html>
`;
}
