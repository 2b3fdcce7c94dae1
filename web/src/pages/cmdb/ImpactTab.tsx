import { useEffect, useMemo, useRef, useState, type RefObject } from 'react';
import { Link, useNavigate } from 'react-router';
import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { Alert, Card, Col, Empty, Flex, Row, Segmented, Select, Spin, Table, Tag, Typography } from 'antd';
import { api } from '../../api/client';
import { useI18n, type MessageKey } from '../../i18n';
import { ErrorAlert } from '../../components/ErrorAlert';
import { useIsMobile } from '../../components/useIsMobile';
import './graph';
import { EChart } from '../reporting/EChart';
import { CIS, STATUS_HEX, ciPath, relationKey, statusKey, type Ci, type CiStatus, type Direction, type Impact, type ImpactNode } from './api';
import { CiStatusTag, CriticalityTag } from './shared';

/** Colours of CI types in the graph (by code; others from the palette in turn). */
const TYPE_HEX: Record<string, string> = {
  application: '#722ed1',
  database: '#eb2f96',
  middleware: '#fa8c16',
  server_physical: '#1677ff',
  server_virtual: '#69b1ff',
  storage: '#13c2c2',
  network: '#52c41a',
  security: '#f5222d',
  machine_room: '#8c8c8c',
  rack: '#bfbfbf',
  ups: '#faad14',
  circuit: '#2f54eb',
  pc: '#a0d911',
  printer: '#d4b106',
};
const PALETTE = ['#5470c6', '#91cc75', '#fac858', '#ee6666', '#73c0de', '#3ba272', '#fc8452', '#9a60b4', '#ea7ccc'];
const SIZE: Record<number, number> = { 1: 34, 2: 30, 3: 26, 4: 22 };
/** The graph's margins, the legend's band below it and the height of a row, in pixels. */
const PAD = 28;
const LEGEND = 44;
const ROW = 84;
/** Text for the tooltip's HTML (CI names are typed by people). */
const esc = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
/** A name as a node's second label line: short, and without the braces of ECharts' rich text. */
const short = (s: string) => {
  const plain = s.replace(/[{}|]/g, '');
  return plain.length > 16 ? `${plain.slice(0, 15)}…` : plain;
};

type ColorBy = 'type' | 'status';

/** A box's width in pixels, followed as it resizes. */
function useWidth(): [RefObject<HTMLDivElement | null>, number] {
  const ref = useRef<HTMLDivElement>(null);
  const [width, setWidth] = useState(0);
  useEffect(() => {
    const el = ref.current;
    if (!el) return;
    const ro = new ResizeObserver(() => setWidth(Math.round(el.clientWidth)));
    ro.observe(el);
    setWidth(Math.round(el.clientWidth));
    return () => ro.disconnect();
  });
  return [ref, width];
}

/** Which side of the root a node is drawn on: affected (up) to the right, relied on (down) to the left. */
function side(n: ImpactNode): 1 | -1 {
  return n.directions.includes('up') ? 1 : -1;
}

/**
 * The graph: columns by depth — the CI in the middle, what its failure reaches to the right,
 * what it relies on to the left — nodes coloured by type or status, the CI itself large with a
 * gold ring, edges as arrows source → target labelled with their type. A click on a node opens it.
 */
function useGraphOption(data: Impact | undefined, colorBy: ColorBy, mobile: boolean, width: number, height: number) {
  const { t } = useI18n();
  return useMemo(() => {
    if (!data || width <= 0) return null;
    const cats: string[] = [];
    const colors: string[] = [];
    const catOf = (n: ImpactNode) => {
      const name = colorBy === 'type' ? n.typeName : t(statusKey(n.status));
      let i = cats.indexOf(name);
      if (i < 0) {
        i = cats.push(name) - 1;
        colors.push(colorBy === 'type' ? (TYPE_HEX[n.typeCode] ?? PALETTE[i % PALETTE.length]) : STATUS_HEX[n.status as CiStatus]);
      }
      return i;
    };
    // Positions in the chart's own pixels: columns by signed depth spread across the width, each
    // column's CIs (by type, then code) centred vertically. Two invisible anchors at the corners
    // make the graph's view box the chart's box, so nothing is stretched.
    const columns = new Map<number, ImpactNode[]>();
    for (const n of data.nodes) {
      const col = n.id === data.root ? 0 : side(n) * n.depth;
      columns.set(col, [...(columns.get(col) ?? []), n]);
    }
    // Desktop: depth runs left → right (what it relies on, the CI, what is affected); a phone's
    // narrow screen turns it top → bottom (affected above, relied on below).
    const viewW = width - 2 * PAD;
    const viewH = height - PAD - LEGEND;
    const vertical = mobile;
    const along = vertical ? viewH : viewW;
    const across = vertical ? viewW : viewH;
    const keys = [...columns.keys()].sort((a, b) => (vertical ? b - a : a - b));
    const margin = vertical ? 24 : Math.min(110, viewW / 4);
    const step = keys.length > 1 ? (along - 2 * margin) / (keys.length - 1) : 0;
    const pos = new Map<number, [number, number]>();
    keys.forEach((col, ci) => {
      const list = columns.get(col)!;
      list.sort((a, b) => a.typeCode.localeCompare(b.typeCode) || a.code.localeCompare(b.code));
      const gap = Math.min(vertical ? 96 : ROW, across / list.length);
      const main = keys.length > 1 ? margin + ci * step : along / 2;
      list.forEach((n, i) => {
        const cross = across / 2 + (i - (list.length - 1) / 2) * gap;
        pos.set(n.id, vertical ? [cross, main] : [main, cross]);
      });
    });
    const anchors = [
      [0, 0],
      [viewW, viewH],
    ].map(([x, y], i) => ({ id: `__anchor${i}`, name: '', x, y, symbolSize: 0, silent: true, label: { show: false }, tooltip: { show: false }, itemStyle: { opacity: 0 } }));
    const many = data.nodes.length > 150;
    const nodes = data.nodes.map((n) => {
      const root = n.id === data.root;
      const [x, y] = pos.get(n.id)!;
      return {
        id: String(n.id),
        name: n.code,
        x,
        y,
        ciId: n.id,
        node: n,
        category: catOf(n),
        symbolSize: root ? 48 : (SIZE[n.criticality] ?? 26),
        itemStyle: root ? { borderColor: '#fadb14', borderWidth: 5, shadowBlur: 12, shadowColor: 'rgba(250,173,20,0.6)' } : n.openTickets > 0 ? { borderColor: '#cf1322', borderWidth: 2 } : undefined,
        label: {
          show: root || !many,
          position: 'bottom',
          formatter: mobile ? `{b|${n.code}}` : `{b|${n.code}}\n${short(n.name)}`,
          rich: { b: { fontWeight: 'bold' } },
          fontSize: 11,
        },
      };
    });
    const links = data.edges.map((e) => ({ source: String(e.source), target: String(e.target), relType: e.type, value: t(relationKey(e.type)) }));
    return {
      animation: false,
      color: colors,
      tooltip: {
        formatter: (p: { dataType?: string; data?: { node?: ImpactNode; value?: string; source?: string; target?: string } }) => {
          if (p.dataType === 'node' && p.data?.node) {
            const n = p.data.node;
            return [`<b>${esc(n.code)}</b> ${esc(n.name)}`, `${esc(n.typeName)} · ${t(statusKey(n.status))}`, n.depth ? t('cmdb.impact.depthN', { n: n.depth }) : t('cmdb.impact.self'), n.openTickets ? t('cmdb.impact.openN', { n: n.openTickets }) : ''].filter(Boolean).join('<br/>');
          }
          if (p.dataType === 'edge' && p.data) {
            const code = (id?: string) => data.nodes.find((x) => String(x.id) === id)?.code ?? '';
            return esc(`${code(p.data.source)} ${p.data.value ?? ''} ${code(p.data.target)}`);
          }
          return '';
        },
      },
      legend: [{ data: cats, bottom: 0, type: 'scroll' }],
      series: [
        {
          type: 'graph',
          layout: 'none',
          roam: true,
          draggable: true,
          categories: cats.map((name) => ({ name })),
          data: [...nodes, ...anchors],
          links,
          edgeSymbol: ['none', 'arrow'],
          edgeSymbolSize: 8,
          lineStyle: { color: '#8c8c8c', width: 1.2, curveness: 0.08, opacity: 0.8 },
          emphasis: { focus: 'adjacency', lineStyle: { width: 2.5 }, edgeLabel: { show: true, formatter: '{c}', fontSize: 11 } },
          top: PAD,
          bottom: LEGEND,
          left: PAD,
          right: PAD,
        },
      ],
    } as Record<string, unknown>;
  }, [data, colorBy, mobile, width, height, t]);
}

/**
 * Impact analysis (影响分析): from this CI, what its failure reaches (up), what it relies on
 * (down) or both, to a chosen depth — as a graph and as lists: the applications (services)
 * affected, the customers and the open tickets naming any of the CIs, and every CI reached.
 */
export function ImpactTab({ ci, portal }: { ci: Ci; portal?: boolean }) {
  const { t, fmtNumber } = useI18n();
  const navigate = useNavigate();
  const mobile = useIsMobile();
  const [direction, setDirection] = useState<Direction>('up');
  const [depth, setDepth] = useState(3);
  const [colorBy, setColorBy] = useState<ColorBy>('type');
  const impact = useQuery({
    queryKey: [CIS, 'impact', ci.id, direction, depth],
    queryFn: () => api.get<Impact>(`${CIS}/${ci.id}/impact`, { direction, depth }),
    placeholderData: keepPreviousData,
  });
  const data = impact.data;
  const ticketPath = (id: number) => (portal ? `/portal/tickets/${id}` : `/tickets/${id}`);
  const others = useMemo(() => (data?.nodes ?? []).filter((n) => n.id !== data?.root), [data]);
  /** The most CIs in one column of the graph and how many columns, for its height. */
  const [tallest, columns] = useMemo(() => {
    const counts = new Map<number, number>();
    for (const n of others) counts.set(side(n) * n.depth, (counts.get(side(n) * n.depth) ?? 0) + 1);
    return [Math.max(1, ...counts.values()), counts.size + 1];
  }, [others]);
  const height = mobile ? Math.min(900, Math.max(320, PAD + LEGEND + 100 * columns)) : Math.min(680, Math.max(280, PAD + LEGEND + ROW * tallest));
  const [box, width] = useWidth();
  const option = useGraphOption(data, colorBy, mobile, width, height);

  return (
    <div data-testid="ci-impact">
      <Flex wrap gap={12} align="center" style={{ marginBottom: 12 }}>
        <Segmented<Direction>
          value={direction}
          onChange={setDirection}
          options={[
            { value: 'up', label: <span data-testid="impact-dir-up">{t('cmdb.impact.up')}</span> },
            { value: 'down', label: <span data-testid="impact-dir-down">{t('cmdb.impact.down')}</span> },
            { value: 'both', label: <span data-testid="impact-dir-both">{t('cmdb.impact.both')}</span> },
          ]}
        />
        <Flex align="center" gap={6}>
          <Typography.Text type="secondary">{t('cmdb.impact.depth')}</Typography.Text>
          <Select value={depth} onChange={setDepth} options={Array.from({ length: 10 }, (_, i) => ({ value: i + 1, label: t('cmdb.impact.levels', { n: i + 1 }) }))} style={{ width: 96 }} data-testid="impact-depth" />
        </Flex>
        <Flex align="center" gap={6}>
          <Typography.Text type="secondary">{t('cmdb.impact.colorBy')}</Typography.Text>
          <Segmented<ColorBy>
            size="small"
            value={colorBy}
            onChange={setColorBy}
            options={[
              { value: 'type', label: t('cmdb.impact.byType') },
              { value: 'status', label: t('cmdb.impact.byStatus') },
            ]}
            data-testid="impact-color"
          />
        </Flex>
        {impact.isFetching && <Spin size="small" />}
        {data && (
          <Typography.Text type="secondary" style={{ fontSize: 12 }} data-testid="impact-summary">
            {t('cmdb.impact.summary', { n: fmtNumber(others.length), levels: data.levels, ms: Math.round(data.tookMs) })}
          </Typography.Text>
        )}
      </Flex>
      <Typography.Paragraph type="secondary" style={{ fontSize: 12, marginTop: -4 }}>
        {t(`cmdb.impact.help.${direction}` as MessageKey)}
      </Typography.Paragraph>
      {impact.isError && <ErrorAlert error={impact.error} onRetry={() => void impact.refetch()} />}
      {data?.truncated && <Alert type="warning" showIcon style={{ marginBottom: 12 }} title={t('cmdb.impact.truncated', { n: data.nodes.length })} data-testid="impact-truncated" />}
      {data && others.length === 0 ? (
        <Empty description={t(`cmdb.impact.none.${direction}` as MessageKey)} data-testid="impact-empty" />
      ) : (
        data && (
          <div className="yw-impact-graph" data-testid="impact-graph" data-nodes={data.nodes.map((n) => n.code).join(' ')}>
            <div ref={box} style={{ height }}>
              {option && (
                <EChart
                  option={option}
                  style={{ height }}
                  onClick={(p) => {
                    const d = p.data as { ciId?: number } | undefined;
                    if ((p as { dataType?: string }).dataType === 'node' && d?.ciId && d.ciId !== ci.id) navigate(ciPath(d.ciId, portal));
                  }}
                />
              )}
            </div>
            <Typography.Text type="secondary" style={{ fontSize: 12 }}>
              {t('cmdb.impact.graphHint')}
            </Typography.Text>
          </div>
        )
      )}
      {data && others.length > 0 && (
        <Row gutter={[12, 12]} style={{ marginTop: 12 }}>
          <Col xs={24} lg={12}>
            <Card size="small" title={t('cmdb.impact.services')} data-testid="impact-services">
              {data.services.length === 0 ? (
                <Typography.Text type="secondary">{t('cmdb.impact.noServices')}</Typography.Text>
              ) : (
                <Flex vertical gap={6}>
                  {data.services.map((s) => (
                    <Flex key={s.id} justify="space-between" align="center" gap={8} data-testid={`impact-service-${s.code}`}>
                      <Link to={ciPath(s.id, portal)}>
                        <b>{s.code}</b> {s.name}
                      </Link>
                      <span>
                        <CriticalityTag value={s.criticality} />
                        <CiStatusTag status={s.status} />
                      </span>
                    </Flex>
                  ))}
                </Flex>
              )}
            </Card>
          </Col>
          <Col xs={24} lg={12}>
            <Card size="small" title={t('cmdb.impact.customers')} data-testid="impact-customers">
              <Flex wrap gap={6}>
                {data.customers.map((c) => (
                  <Tag key={c.id}>
                    {c.name} · {t('cmdb.impact.cisN', { n: c.cis })}
                  </Tag>
                ))}
              </Flex>
            </Card>
          </Col>
          <Col span={24}>
            <Card size="small" title={t('cmdb.impact.openTickets', { n: data.openTickets.length })} data-testid="impact-tickets">
              <Table
                rowKey="id"
                size="small"
                dataSource={data.openTickets}
                pagination={false}
                scroll={mobile ? { x: 560 } : undefined}
                locale={{ emptyText: t('cmdb.impact.noTickets') }}
                columns={[
                  { title: t('cmdb.related.number'), dataIndex: 'number', width: 150, render: (n: string, x) => <Link to={ticketPath(x.id)}>{n}</Link> },
                  { title: t('cmdb.related.title'), dataIndex: 'title' },
                  { title: t('cmdb.related.state'), dataIndex: 'state', width: 120, render: (s: string) => <Tag>{t(`tickets.state.${s}` as MessageKey)}</Tag> },
                  {
                    title: t('cmdb.impact.viaCis'),
                    dataIndex: 'ciIds',
                    render: (ids: number[]) => ids.map((id) => data.nodes.find((n) => n.id === id)?.code ?? `#${id}`).join('、'),
                  },
                ]}
              />
            </Card>
          </Col>
          <Col span={24}>
            <Card size="small" title={t('cmdb.impact.cis', { n: others.length })} data-testid="impact-list">
              <Table<ImpactNode>
                rowKey="id"
                size="small"
                dataSource={others}
                pagination={others.length > 50 ? { pageSize: 50, size: 'small' } : false}
                scroll={mobile ? { x: 640 } : undefined}
                onRow={(n) => ({ 'data-testid': `impact-row-${n.code}` }) as React.HTMLAttributes<HTMLElement>}
                columns={[
                  {
                    title: t('cmdb.col.ci'),
                    key: 'ci',
                    render: (_, n) => (
                      <Link to={ciPath(n.id, portal)}>
                        <b>{n.code}</b> {n.name}
                      </Link>
                    ),
                  },
                  { title: t('cmdb.col.type'), dataIndex: 'typeName', width: 110 },
                  { title: t('cmdb.col.status'), dataIndex: 'status', width: 90, render: (s: CiStatus) => <CiStatusTag status={s} /> },
                  { title: t('cmdb.col.criticality'), dataIndex: 'criticality', width: 80, render: (c: number) => <CriticalityTag value={c} /> },
                  {
                    title: t('cmdb.impact.where'),
                    key: 'where',
                    width: 130,
                    render: (_, n) => t(side(n) > 0 ? 'cmdb.impact.affectedAt' : 'cmdb.impact.reliedAt', { n: n.depth }),
                  },
                  { title: t('cmdb.impact.openCol'), dataIndex: 'openTickets', width: 80, align: 'right', render: (x: number) => (x ? <Typography.Text type="danger">{x}</Typography.Text> : '0') },
                ]}
              />
            </Card>
          </Col>
        </Row>
      )}
    </div>
  );
}
