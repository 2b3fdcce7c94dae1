import { useEffect, useMemo, useState } from 'react';
import { useSearchParams } from 'react-router';
import { keepPreviousData, useInfiniteQuery } from '@tanstack/react-query';
import { Button, Flex, Input, Typography } from 'antd';
import { SearchOutlined } from '@ant-design/icons';
import { api, asPage, type Page, type Query } from '../api/client';
import { useI18n } from '../i18n';

export const PAGE_SIZE = 50;

/**
 * A server-side list with keyset paging: `{items, nextCursor}`; "load more" fetches the next
 * page with `cursor=nextCursor`. The query key starts with the path so that mutations can
 * invalidate `[path]`.
 */
export function useKeysetList<T>(path: string, params: Query = {}, opts: { enabled?: boolean; limit?: number } = {}) {
  const query = useInfiniteQuery({
    queryKey: [path, 'list', params],
    queryFn: ({ pageParam, signal }) =>
      api
        .get<Page<T> | T[]>(path, { ...params, limit: opts.limit ?? PAGE_SIZE, cursor: pageParam }, { signal })
        .then((d) => asPage<T>(d)),
    initialPageParam: undefined as string | undefined,
    getNextPageParam: (last) => last.nextCursor ?? undefined,
    placeholderData: keepPreviousData,
    enabled: opts.enabled ?? true,
  });
  const items = useMemo(() => query.data?.pages.flatMap((p) => p.items) ?? [], [query.data]);
  return { ...query, items };
}

export function LoadMore({
  list,
  testid,
}: {
  list: { items: unknown[]; hasNextPage: boolean; isFetchingNextPage: boolean; fetchNextPage: () => unknown };
  testid: string;
}) {
  const { t } = useI18n();
  if (list.items.length === 0) return null;
  return (
    <Flex justify="center" align="center" gap={12} style={{ marginTop: 16 }} wrap>
      <Typography.Text type="secondary" data-testid={`${testid}-count`}>
        {t('common.loadedCount', { count: list.items.length })}
      </Typography.Text>
      {list.hasNextPage ? (
        <Button onClick={() => list.fetchNextPage()} loading={list.isFetchingNextPage} data-testid={`${testid}-load-more`}>
          {t('common.loadMore')}
        </Button>
      ) : (
        <Typography.Text type="secondary">· {t('common.noMore')}</Typography.Text>
      )}
    </Flex>
  );
}

/** Filter values kept in the URL (shareable, survive reload and back). */
export function useUrlFilters<K extends string>(keys: readonly K[]) {
  const [sp, setSp] = useSearchParams();
  const values = {} as Record<K, string>;
  for (const k of keys) values[k] = sp.get(k) ?? '';
  const set = (patch: Partial<Record<K, string | null | undefined>>) => {
    setSp(
      (prev) => {
        const next = new URLSearchParams(prev);
        for (const [k, v] of Object.entries(patch) as [K, string | null | undefined][]) {
          if (v === null || v === undefined || v === '') next.delete(k);
          else next.set(k, v);
        }
        return next;
      },
      { replace: true },
    );
  };
  const clear = () => set(Object.fromEntries(keys.map((k) => [k, null])) as Partial<Record<K, null>>);
  return { values, set, clear };
}

/** Search box that updates the filter 300 ms after typing stops (Enter applies at once). */
export function SearchBox({
  value,
  onChange,
  placeholder,
  testid,
  width = 280,
}: {
  value: string;
  onChange: (v: string) => void;
  placeholder?: string;
  testid: string;
  width?: number | string;
}) {
  const { t } = useI18n();
  const [text, setText] = useState(value);
  useEffect(() => setText(value), [value]);
  useEffect(() => {
    if (text === value) return;
    const h = setTimeout(() => onChange(text.trim()), 300);
    return () => clearTimeout(h);
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [text]);
  return (
    <Input
      allowClear
      prefix={<SearchOutlined />}
      placeholder={placeholder ?? t('common.searchPlaceholder')}
      value={text}
      onChange={(e) => setText(e.target.value)}
      onPressEnter={() => onChange(text.trim())}
      style={{ width, maxWidth: '100%' }}
      data-testid={testid}
    />
  );
}
