import { useEffect, useMemo, useRef, useState } from 'react';
import { useNavigate } from 'react-router';
import { useQuery } from '@tanstack/react-query';
import { Empty, Flex, Input, Spin, Tag, Typography, type InputRef } from 'antd';
import { SearchOutlined } from '@ant-design/icons';
import { useI18n, type MessageKey } from '../i18n';
import { markOnly, search, type SearchItem, type SearchKind } from '../api/search';
import { useDebounced } from '../components/useDebounced';

/** Waits this long after the last keystroke before asking (typing 打印机卡纸 is one request, not five). */
const DEBOUNCE_MS = 200;

/** Highlighted text from the search API, rendered with only <mark> as markup (api/search.ts markOnly). */
function Marked({ html, className }: { html: string; className?: string }) {
  return <span className={className} dangerouslySetInnerHTML={{ __html: markOnly(html) }} />;
}

/**
 * The top-bar search: answers across tickets, knowledge, CIs, contacts and customers while
 * typing, grouped by kind, with the matched words marked. `/` anywhere (outside inputs) focuses
 * it; ↑ ↓ move through the hits, Enter opens one (or the ticket list's full-text filter when
 * none is chosen), Esc closes.
 */
export function GlobalSearch({ compact }: { compact?: boolean }) {
  const { t, fmtDateTime } = useI18n();
  const navigate = useNavigate();
  const ref = useRef<InputRef>(null);
  const [value, setValue] = useState('');
  const [open, setOpen] = useState(false);
  const [active, setActive] = useState(-1);
  const q = useDebounced(value.trim(), DEBOUNCE_MS);

  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (e.key !== '/' || e.ctrlKey || e.metaKey || e.altKey) return;
      const el = e.target as HTMLElement | null;
      const tag = el?.tagName;
      if (tag === 'INPUT' || tag === 'TEXTAREA' || tag === 'SELECT' || el?.isContentEditable) return;
      e.preventDefault();
      ref.current?.focus();
    };
    document.addEventListener('keydown', onKey);
    return () => document.removeEventListener('keydown', onKey);
  }, []);

  const result = useQuery({
    queryKey: ['/search', q],
    queryFn: ({ signal }) => search(q, { limit: 5 }, signal),
    enabled: q.length > 0,
    staleTime: 10_000,
    placeholderData: (prev) => prev,
  });
  const groups = q ? (result.data?.groups ?? []) : [];
  const flat = useMemo(() => groups.flatMap((g) => g.items), [groups]);
  useEffect(() => setActive(-1), [q]);

  const go = (item: SearchItem) => {
    setOpen(false);
    ref.current?.blur();
    navigate(item.url);
  };
  const onKeyDown = (e: React.KeyboardEvent) => {
    if (e.key === 'Escape') {
      if (open) setOpen(false);
      else ref.current?.blur();
      return;
    }
    if (e.key === 'ArrowDown' || e.key === 'ArrowUp') {
      e.preventDefault();
      setOpen(true);
      if (!flat.length) return;
      setActive((i) => (e.key === 'ArrowDown' ? (i + 1) % flat.length : (i <= 0 ? flat.length : i) - 1));
      return;
    }
    if (e.key === 'Enter') {
      e.preventDefault();
      const pick = flat[active];
      if (pick) go(pick);
      else if (value.trim()) {
        setOpen(false);
        navigate(`/tickets?q=${encodeURIComponent(value.trim())}`);
      }
    }
  };

  const kindLabel = (k: SearchKind) => t(`search.kind.${k}` as MessageKey);
  let index = -1;
  const panel = open && value.trim() && (
    <div className="yw-search-panel" role="listbox" data-testid="global-search-results" onMouseDown={(e) => e.preventDefault()}>
      {result.isFetching && !result.data ? (
        <Flex justify="center" style={{ padding: 16 }}>
          <Spin size="small" />
        </Flex>
      ) : result.data?.note && !groups.length ? (
        <Typography.Text type="secondary" style={{ display: 'block', padding: 12 }}>
          {result.data.note}
        </Typography.Text>
      ) : !groups.length ? (
        <Empty image={Empty.PRESENTED_IMAGE_SIMPLE} description={t('search.none', { q: value.trim() })} />
      ) : (
        groups.map((g) => (
          <div key={g.kind} data-testid={`search-group-${g.kind}`}>
            <div className="yw-search-group">
              {kindLabel(g.kind)}
              <span className="yw-search-count">{g.capped ? t('search.countCapped', { n: g.total }) : t('search.count', { n: g.total })}</span>
            </div>
            {g.items.map((item) => {
              index += 1;
              const i = index;
              return (
                <div
                  key={`${item.kind}-${item.id}`}
                  role="option"
                  aria-selected={i === active}
                  className={`yw-search-item${i === active ? ' yw-search-item-active' : ''}`}
                  data-testid="search-hit"
                  data-kind={item.kind}
                  data-id={item.id}
                  onMouseEnter={() => setActive(i)}
                  onClick={() => go(item)}
                >
                  <Flex justify="space-between" gap={8}>
                    <Marked className="yw-search-title" html={item.titleHtml} />
                    {item.state && item.kind === 'ticket' && <Tag style={{ marginInlineEnd: 0 }}>{t(`tickets.state.${item.state}` as MessageKey)}</Tag>}
                  </Flex>
                  <Marked className="yw-search-snippet" html={item.snippetHtml} />
                  <Typography.Text type="secondary" style={{ fontSize: 12 }}>
                    {[item.customerName, fmtDateTime(item.at)].filter(Boolean).join(' · ')}
                  </Typography.Text>
                </div>
              );
            })}
          </div>
        ))
      )}
      {groups.some((g) => g.kind === 'ticket') && (
        <div className="yw-search-footer" onClick={() => (setOpen(false), navigate(`/tickets?q=${encodeURIComponent(value.trim())}`))}>
          {t('search.allTickets')}
        </div>
      )}
    </div>
  );

  return (
    <div style={{ position: 'relative', maxWidth: compact ? undefined : 420, width: '100%' }}>
      <Input
        ref={ref}
        value={value}
        onChange={(e) => {
          setValue(e.target.value);
          setOpen(true);
        }}
        onFocus={() => setOpen(true)}
        onBlur={() => setOpen(false)}
        onKeyDown={onKeyDown}
        prefix={<SearchOutlined />}
        suffix={!compact && <kbd className="yw-kbd">/</kbd>}
        placeholder={t('shell.search')}
        allowClear
        role="combobox"
        aria-expanded={Boolean(panel)}
        data-testid="global-search"
        aria-label={t('common.search')}
      />
      {panel}
    </div>
  );
}
