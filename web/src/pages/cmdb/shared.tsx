import { useEffect, useMemo, useRef, useState } from 'react';
import { useQuery } from '@tanstack/react-query';
import { Empty, Flex, Select, Spin, Tag, Typography } from 'antd';
import { SearchOutlined } from '@ant-design/icons';
import { api } from '../../api/client';
import { useI18n } from '../../i18n';
import { CRITICALITY_COLOR, STATUS_COLOR, attrLabel, criticalityKey, statusKey, type AttributeDef, type AttributeValue, type CiStatus, type LookupHit } from './api';

export function CiStatusTag({ status }: { status: CiStatus }) {
  const { t } = useI18n();
  return (
    <Tag color={STATUS_COLOR[status]} data-testid="ci-status" data-status={status}>
      {t(statusKey(status))}
    </Tag>
  );
}

export function CriticalityTag({ value }: { value: number }) {
  const { t } = useI18n();
  return (
    <Tag color={CRITICALITY_COLOR[value]} data-testid="ci-criticality" data-criticality={value}>
      {t(criticalityKey(value))}
    </Tag>
  );
}

/** One attribute value as its type defines it: units after numbers, 是/否, dates in the user's format, address lists. */
export function AttributeValueView({ def, value }: { def?: AttributeDef; value: AttributeValue | null | undefined }) {
  const { t, fmtDate, fmtNumber } = useI18n();
  if (value === null || value === undefined || value === '' || (Array.isArray(value) && value.length === 0)) return <Typography.Text type="secondary">—</Typography.Text>;
  if (Array.isArray(value))
    return (
      <Flex wrap gap={4}>
        {value.map((v) => (
          <Tag key={v} style={{ marginInlineEnd: 0 }}>
            {v}
          </Tag>
        ))}
      </Flex>
    );
  if (typeof value === 'boolean') return <>{value ? t('common.yes') : t('common.no')}</>;
  if (typeof value === 'number') return <>{`${fmtNumber(value)}${def?.unit ? ` ${def.unit}` : ''}`}</>;
  if (def?.kind === 'date') return <>{fmtDate(`${value}T12:00:00`)}</>;
  if (def?.kind === 'multiline') return <div style={{ whiteSpace: 'pre-wrap' }}>{value}</div>;
  return <>{value}</>;
}

/** "内存（GB）" */
export function attrTitle(def: AttributeDef, locale: string): string {
  const label = attrLabel(def, locale);
  return def.unit ? (locale === 'en-US' ? `${label} (${def.unit})` : `${label}（${def.unit}）`) : label;
}

/**
 * Finds CIs of one customer by code, name, IP, serial or host name as one types
 * (GET /cis/lookup, debounced); each option says what matched. Single or multiple.
 */
export function CiLookupSelect({
  customerId,
  value,
  onChange,
  multiple,
  exclude = [],
  testid,
  placeholder,
  id,
  size,
}: {
  customerId?: number | null;
  value?: number | number[] | null;
  onChange?: (v: number | number[] | null) => void;
  multiple?: boolean;
  exclude?: number[];
  testid: string;
  placeholder?: string;
  id?: string;
  size?: 'small' | 'middle' | 'large';
}) {
  const { t } = useI18n();
  const [text, setText] = useState('');
  const [q, setQ] = useState('');
  /** Hits once picked keep their label after the search text changes. */
  const known = useRef(new Map<number, LookupHit>());
  useEffect(() => {
    const h = setTimeout(() => setQ(text.trim()), 250);
    return () => clearTimeout(h);
  }, [text]);
  // Another customer: the CIs chosen for the previous one no longer fit.
  const prevCustomer = useRef(customerId);
  useEffect(() => {
    if (prevCustomer.current !== customerId && prevCustomer.current != null) onChange?.(multiple ? [] : null);
    prevCustomer.current = customerId;
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [customerId]);

  const search = useQuery({
    queryKey: ['/cis/lookup', customerId, q],
    queryFn: ({ signal }) => api.get<{ items: LookupHit[] }>('/cis/lookup', { customerId, q }, { signal }).then((d) => d.items),
    enabled: !!customerId && q.length > 0,
    staleTime: 15_000,
  });
  for (const h of search.data ?? []) known.current.set(h.id, h);

  const selected = useMemo(() => (Array.isArray(value) ? value : value ? [value] : []), [value]);
  const options = useMemo(() => {
    const hits = (q ? (search.data ?? []) : []).filter((h) => !exclude.includes(h.id));
    const ids = new Set(hits.map((h) => h.id));
    const kept = selected.filter((s) => !ids.has(s)).map((s) => known.current.get(s)).filter((h): h is LookupHit => !!h);
    return [...hits, ...kept].map((h) => ({ value: h.id, label: `${h.code} ${h.name}`, hit: h }));
  }, [search.data, q, selected, exclude]);

  return (
    <Select<number | number[]>
      id={id}
      size={size}
      mode={multiple ? 'multiple' : undefined}
      value={multiple ? selected : (value ?? undefined)}
      onChange={(v) => onChange?.(v === undefined ? (multiple ? [] : null) : v)}
      disabled={!customerId}
      allowClear
      placeholder={customerId ? (placeholder ?? t('cmdb.pick.placeholder')) : t('cmdb.pick.customerFirst')}
      suffixIcon={<SearchOutlined />}
      showSearch={{ onSearch: setText, filterOption: false }}
      onOpenChange={(o) => !o && setText('')}
      defaultActiveFirstOption
      notFoundContent={search.isFetching ? <Spin size="small" /> : q ? <Empty image={Empty.PRESENTED_IMAGE_SIMPLE} description={t('cmdb.pick.none')} /> : t('cmdb.pick.typeToSearch')}
      options={options}
      optionRender={(o) => {
        const h = (o.data as { hit: LookupHit }).hit;
        return (
          <Flex vertical data-testid={`${testid}-option`} data-code={h.code}>
            <span>
              <Typography.Text strong>{h.code}</Typography.Text> {h.name}
              {h.matched !== 'code' && h.matched !== 'name' && (
                <Tag color="blue" style={{ marginInlineStart: 6 }} data-testid={`${testid}-matched`}>
                  {t(`cmdb.matched.${h.matched}`)}
                  {h.address ? ` ${h.address}` : ''}
                </Tag>
              )}
            </span>
            <Typography.Text type="secondary" style={{ fontSize: 12 }}>
              {h.typeName}
              {h.ip ? ` · ${h.ip}` : ''}
              {h.siteName ? ` · ${h.siteName}` : ''}
              {h.status !== 'in_use' ? ` · ${t(`cmdb.status.${h.status}`)}` : ''}
            </Typography.Text>
          </Flex>
        );
      }}
      style={{ width: '100%' }}
      data-testid={testid}
      maxTagCount="responsive"
    />
  );
}
