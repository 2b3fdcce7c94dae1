import { useEffect, useMemo, useState } from 'react';
import { useQuery } from '@tanstack/react-query';
import { Form, Select, Spin } from 'antd';
import { api, asPage, type Page } from '../../api/client';
import type { Id, User } from '../../api/types';
import { useI18n } from '../../i18n';
import { RemoteSelect, labelOf, useNames } from '../RemoteSelect';
import { TeamWorkload } from './TeamWorkload';

/**
 * A provider-side user who may be given tickets, searched on the server; with a team, only its
 * members. Shows the chosen user's name even before a search.
 */
export function AssigneeSelect({
  value,
  onChange,
  teamId,
  testid,
  placeholder,
  id,
}: {
  value?: Id | null;
  onChange?: (v: Id | null) => void;
  teamId?: Id | null;
  testid?: string;
  placeholder?: string;
  id?: string;
}) {
  const { t } = useI18n();
  const [text, setText] = useState('');
  const [q, setQ] = useState('');
  useEffect(() => {
    const h = setTimeout(() => setQ(text.trim()), 250);
    return () => clearTimeout(h);
  }, [text]);
  const search = useQuery({
    queryKey: ['/users', 'assignee', q, teamId ?? null],
    queryFn: ({ signal }) =>
      api
        .get<Page<User> | User[]>('/users', { q, teamId: teamId ?? undefined, disabled: 'false', limit: 20 }, { signal })
        .then((d) => asPage(d).items.filter((u) => u.customerId == null && !u.disabled)),
    staleTime: 30_000,
  });
  const names = useNames('users', value ? [value] : []);
  const options = useMemo(() => {
    const out = (search.data ?? []).map((u) => ({ value: u.id, label: labelOf('users', u) }));
    if (value && !out.some((o) => o.value === value)) out.push({ value, label: names.label(value) });
    return out;
  }, [search.data, value, names]);
  return (
    <Select
      id={id}
      value={value ?? undefined}
      onChange={(v: Id | undefined) => onChange?.(v ?? null)}
      options={options}
      allowClear
      placeholder={placeholder ?? t('tickets.assign.assigneePlaceholder')}
      showSearch={{ onSearch: setText, filterOption: false }}
      onOpenChange={(o) => !o && setText('')}
      notFoundContent={search.isFetching ? <Spin size="small" /> : t('common.none')}
      loading={search.isFetching}
      style={{ width: '100%' }}
      data-testid={testid}
    />
  );
}

/** Team and assignee fields of an antd Form (`teamId`, `assigneeId`); the assignee list follows the team. */
export function AssignFormItems({ prefix }: { prefix: string }) {
  const { t } = useI18n();
  const form = Form.useFormInstance();
  const teamId = Form.useWatch('teamId', form) as Id | null | undefined;
  const assigneeId = Form.useWatch('assigneeId', form) as Id | null | undefined;
  return (
    <>
      <Form.Item name="teamId" label={t('tickets.team')}>
        <RemoteSelect
          resource="teams"
          testid={`${prefix}-team`}
          placeholder={t('tickets.assign.teamPlaceholder')}
        />
      </Form.Item>
      <Form.Item
        name="assigneeId"
        label={t('tickets.assignee')}
        extra={teamId ? t('tickets.assign.membersOnly') : undefined}
        rules={[
          {
            validator: async () => {
              const v = form.getFieldsValue(['teamId', 'assigneeId']) as { teamId?: Id | null; assigneeId?: Id | null };
              if (!v.teamId && !v.assigneeId) throw new Error(t('tickets.assign.oneAtLeast'));
            },
          },
        ]}
      >
        <AssigneeSelect teamId={teamId} testid={`${prefix}-assignee`} />
      </Form.Item>
      {teamId ? <TeamWorkload teamId={teamId} value={assigneeId} onPick={(userId) => form.setFieldsValue({ assigneeId: userId })} /> : null}
    </>
  );
}
