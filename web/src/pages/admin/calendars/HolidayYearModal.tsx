import { useEffect, useMemo, useState } from 'react';
import dayjs, { type Dayjs } from 'dayjs';
import { Alert, App, Button, Card, Checkbox, Collapse, DatePicker, Flex, Input, Modal, Select, Table, Tag, Typography } from 'antd';
import { DeleteOutlined, FileSearchOutlined, PlusOutlined } from '@ant-design/icons';
import { api, isApiError } from '../../../api/client';
import type { Calendar, FestivalKey, ParsedNotice, SpecialDay } from '../../../api/types';
import { useI18n, type MessageKey } from '../../../i18n';
import { DAY_STYLE } from './MonthView';

/** The festivals of China's schedule; 中秋 and 国庆 fall together in some years (one row then). */
const SEPARATE: FestivalKey[] = ['newYear', 'springFestival', 'qingming', 'labourDay', 'dragonBoat', 'midAutumn', 'national'];
const COMBINED: FestivalKey[] = ['newYear', 'springFestival', 'qingming', 'labourDay', 'dragonBoat', 'midAutumnNational'];
/** The names stored on the days (the State Council's words; the shipped schedule uses the same). */
const STORED_NAME: Record<FestivalKey, string> = {
  newYear: '元旦',
  springFestival: '春节',
  qingming: '清明节',
  labourDay: '劳动节',
  dragonBoat: '端午节',
  midAutumn: '中秋节',
  national: '国庆节',
  midAutumnNational: '国庆节、中秋节',
};
const FESTIVAL_RE = /元旦|春节|清明|劳动节|五一|端午|中秋|国庆/;

function keyOfName(name: string): FestivalKey | null {
  if (/国庆/.test(name) && /中秋/.test(name)) return 'midAutumnNational';
  if (/元旦/.test(name)) return 'newYear';
  if (/春节/.test(name)) return 'springFestival';
  if (/清明/.test(name)) return 'qingming';
  if (/劳动|五一/.test(name)) return 'labourDay';
  if (/端午/.test(name)) return 'dragonBoat';
  if (/中秋/.test(name)) return 'midAutumn';
  if (/国庆/.test(name)) return 'national';
  return null;
}

type Range = [Dayjs | null, Dayjs | null];
interface Row {
  key: FestivalKey;
  off: Range[];
  makeUp: Dayjs[];
}

const D = 'YYYY-MM-DD';
const emptyRows = (combined: boolean): Row[] => (combined ? COMBINED : SEPARATE).map((key) => ({ key, off: [[null, null]], makeUp: [] }));

/** A date belongs to the year's schedule: in the year, or 元旦 days of late December before it. */
const inYear = (date: string, name: string | undefined, year: number) =>
  date.startsWith(`${year}-`) || (date.startsWith(`${year - 1}-12-`) && /元旦/.test(name ?? ''));

/** The rows of a year as the calendar holds it: each festival's days off merged into ranges, its make-up days. */
function rowsFromCalendar(cal: Calendar, year: number): Row[] {
  const combined = cal.holidays.some((d) => inYear(d.date, d.name, year) && keyOfName(d.name ?? '') === 'midAutumnNational');
  const rows = emptyRows(combined);
  const byKey = new Map(rows.map((r) => [r.key, r]));
  const days = new Map<FestivalKey, string[]>();
  for (const d of cal.holidays) {
    const key = keyOfName(d.name ?? '');
    if (key && inYear(d.date, d.name, year) && byKey.has(key)) days.set(key, [...(days.get(key) ?? []), d.date]);
  }
  for (const [key, dates] of days) {
    const ranges: Range[] = [];
    for (const date of [...dates].sort()) {
      const last = ranges[ranges.length - 1];
      if (last && last[1] && last[1].add(1, 'day').format(D) === date) last[1] = dayjs(date);
      else ranges.push([dayjs(date), dayjs(date)]);
    }
    byKey.get(key)!.off = ranges;
  }
  for (const d of cal.workdays) {
    const key = keyOfName(d.name ?? '');
    if (key && inYear(d.date, d.name, year) && byKey.has(key)) byKey.get(key)!.makeUp.push(dayjs(d.date));
  }
  return rows;
}

function expand(rows: Row[]): { holidays: SpecialDay[]; workdays: SpecialDay[] } {
  const holidays: SpecialDay[] = [];
  const workdays: SpecialDay[] = [];
  for (const r of rows) {
    const name = STORED_NAME[r.key];
    for (const [a, b] of r.off) {
      if (!a || !b) continue;
      for (let d = a; !d.isAfter(b, 'day'); d = d.add(1, 'day')) holidays.push({ date: d.format(D), name });
    }
    for (const d of r.makeUp) workdays.push({ date: d.format(D), name: `${name}调休上班` });
  }
  return { holidays, workdays };
}

const dayCount = (r: Row) => r.off.reduce((n, [a, b]) => n + (a && b ? b.diff(a, 'day') + 1 : 0), 0);

/** Months of the preview, each day coloured as the calendar will count it: 休 (holiday), 班 (make-up day). */
function YearPreview({ cal, rows }: { cal: Calendar; rows: Row[] }) {
  const { t, locale } = useI18n();
  const { holidays, workdays } = useMemo(() => expand(rows), [rows]);
  const off = new Map(holidays.map((d) => [d.date, d.name]));
  const work = new Map(workdays.map((d) => [d.date, d.name]));
  const months = [...new Set([...off.keys(), ...work.keys()].map((d) => d.slice(0, 7)))].sort();
  if (months.length === 0) return <Typography.Text type="secondary">{t('holidays.empty')}</Typography.Text>;
  return (
    <Flex wrap gap={16} data-testid="holidays-preview">
      {months.map((m) => {
        const first = dayjs(`${m}-01`);
        const lead = (first.day() + 6) % 7;
        return (
          <div key={m} style={{ width: 250 }}>
            <Typography.Text strong>{locale === 'zh-CN' ? first.format('YYYY年M月') : first.format('MMM YYYY')}</Typography.Text>
            <div style={{ display: 'grid', gridTemplateColumns: 'repeat(7, 1fr)', gap: 2, marginTop: 4, fontSize: 12 }}>
              {[1, 2, 3, 4, 5, 6, 7].map((d) => (
                <div key={d} style={{ textAlign: 'center', color: 'rgba(0,0,0,0.45)' }}>
                  {t(`calendars.weekday.${d}` as MessageKey).slice(-1)}
                </div>
              ))}
              {Array.from({ length: lead }, (_, i) => (
                <div key={`b${i}`} />
              ))}
              {Array.from({ length: first.daysInMonth() }, (_, i) => {
                const date = first.add(i, 'day');
                const iso = date.format(D);
                const weekday = ((date.day() + 6) % 7) + 1;
                const kind = off.has(iso) ? 'holiday' : work.has(iso) ? 'workday' : (cal.weekly[String(weekday)] ?? []).length ? 'working' : 'off';
                const style = DAY_STYLE[kind];
                return (
                  <div
                    key={iso}
                    title={off.get(iso) ?? work.get(iso) ?? ''}
                    data-testid={`holidays-preview-${iso}`}
                    data-kind={kind}
                    style={{ border: `1px solid ${style.border}`, background: style.background, color: style.color, borderRadius: 4, textAlign: 'center', padding: '2px 0', lineHeight: 1.3 }}
                  >
                    <div>{i + 1}</div>
                    <div style={{ fontSize: 10, fontWeight: 600, color: kind === 'holiday' ? '#cf1322' : kind === 'workday' ? '#d46b08' : 'transparent' }}>
                      {kind === 'holiday' ? t('calendars.mark.holiday') : kind === 'workday' ? t('calendars.mark.workday') : '·'}
                    </div>
                  </div>
                );
              })}
            </div>
          </div>
        );
      })}
    </Flex>
  );
}

/**
 * A year of China's public holidays for a calendar: one row per festival (days off, make-up
 * days), filled by hand or from the State Council's notice pasted into the text box, previewed
 * month by month, saved into the calendar (the year's festival days replaced, other dates kept).
 */
export function HolidayYearModal({
  calendar,
  year: initialYear,
  open,
  onClose,
  onSaved,
}: {
  calendar: Calendar;
  year: number;
  open: boolean;
  onClose: () => void;
  onSaved: (c: Calendar) => void;
}) {
  const { t, errorText, formats } = useI18n();
  const { message } = App.useApp();
  const [year, setYear] = useState(initialYear);
  const [rows, setRows] = useState<Row[]>(() => rowsFromCalendar(calendar, initialYear));
  const [text, setText] = useState('');
  const [parsing, setParsing] = useState(false);
  const [saving, setSaving] = useState(false);
  const [parsed, setParsed] = useState<ParsedNotice | null>(null);
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    if (!open) return;
    setYear(initialYear);
    setRows(rowsFromCalendar(calendar, initialYear));
    setParsed(null);
    setError(null);
    // Opened afresh for a year: start from what the calendar holds.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [open, initialYear]);

  const combined = rows.some((r) => r.key === 'midAutumnNational');
  const thisYear = dayjs().year();
  const years = [...new Set([thisYear - 1, thisYear, thisYear + 1, thisYear + 2, year])].sort();

  const changeYear = (y: number) => {
    setYear(y);
    setRows(rowsFromCalendar(calendar, y));
    setParsed(null);
  };
  const update = (i: number, f: (r: Row) => Row) => setRows((rs) => rs.map((r, k) => (k === i ? f(r) : r)));
  const setCombined = (on: boolean) =>
    setRows((rs) => {
      const keep = rs.filter((r) => !['midAutumn', 'national', 'midAutumnNational'].includes(r.key));
      return on ? [...keep, { key: 'midAutumnNational', off: [[null, null]], makeUp: [] }] : [...keep, ...emptyRows(false).slice(5)];
    });

  const parse = async () => {
    setParsing(true);
    setError(null);
    try {
      const r = await api.post<ParsedNotice>('/calendars/parse-notice', { text, year });
      setParsed(r);
      if (r.festivals.length) {
        const y = r.year ?? year;
        if (y !== year) setYear(y);
        const both = r.festivals.some((f) => f.key === 'midAutumnNational');
        setRows(
          emptyRows(both).map((row) => {
            const f = r.festivals.find((x) => x.key === row.key);
            return f ? { key: row.key, off: f.off.map((o): Range => [dayjs(o.from), dayjs(o.to)]), makeUp: f.makeUp.map((d) => dayjs(d)) } : row;
          }),
        );
      }
    } catch (e) {
      setError(errorText(e));
    } finally {
      setParsing(false);
    }
  };

  const save = async () => {
    if (rows.some((r) => r.off.some(([a, b]) => (a === null) !== (b === null)))) {
      setError(t('holidays.rangeInvalid'));
      return;
    }
    const fresh = expand(rows);
    const dates = new Set([...fresh.holidays, ...fresh.workdays].map((d) => d.date));
    // The year's festival days are replaced; every other date of the calendar stays as it is.
    const replaced = (d: SpecialDay) => dates.has(d.date) || (inYear(d.date, d.name, year) && FESTIVAL_RE.test(d.name ?? ''));
    const byDate = (a: SpecialDay, b: SpecialDay) => a.date.localeCompare(b.date);
    setSaving(true);
    setError(null);
    try {
      const saved = await api.put<Calendar>(`/calendars/${encodeURIComponent(calendar.id)}`, {
        name: calendar.name,
        timeZone: calendar.timeZone,
        weekly: calendar.weekly,
        holidays: [...calendar.holidays.filter((d) => !replaced(d)), ...fresh.holidays].sort(byDate),
        workdays: [...calendar.workdays.filter((d) => !replaced(d)), ...fresh.workdays].sort(byDate),
        version: calendar.version,
      });
      message.success(t('holidays.saved', { year, holidays: fresh.holidays.length, workdays: fresh.workdays.length }));
      onSaved(saved);
    } catch (e) {
      setError(isApiError(e) && e.status === 409 ? `${t('common.conflictTitle')} ${t('common.conflictText')}` : [errorText(e), ...(isApiError(e) ? e.errors.map((x) => x.message) : [])].join(' '));
    } finally {
      setSaving(false);
    }
  };

  const festivalName = (k: FestivalKey) => t(`holidays.festival.${k}` as MessageKey);

  return (
    <Modal
      open={open}
      width={1100}
      title={t('holidays.formTitle', { year })}
      onCancel={() => !saving && onClose()}
      data-testid="holidays-modal"
      destroyOnHidden
      footer={[
        <Button key="cancel" onClick={onClose} disabled={saving}>
          {t('common.cancel')}
        </Button>,
        <Button key="save" type="primary" loading={saving} onClick={() => void save()} data-testid="holidays-save">
          {t('holidays.save')}
        </Button>,
      ]}
    >
      <Flex gap={12} align="center" wrap style={{ marginBottom: 12 }}>
        <span>{t('holidays.year')}</span>
        <Select value={year} onChange={changeYear} options={years.map((y) => ({ value: y, label: String(y) }))} style={{ width: 110 }} data-testid="holidays-year" />
        <Typography.Text type="secondary">{t('holidays.replaceHint', { year })}</Typography.Text>
      </Flex>
      <Card size="small" title={t('holidays.pasteLabel')} style={{ marginBottom: 12 }}>
        <Input.TextArea
          value={text}
          onChange={(e) => setText(e.target.value)}
          autoSize={{ minRows: 4, maxRows: 10 }}
          maxLength={20000}
          placeholder={t('holidays.pastePlaceholder', { year })}
          aria-label={t('holidays.pasteLabel')}
          data-testid="holidays-paste"
        />
        <Button icon={<FileSearchOutlined />} style={{ marginTop: 8 }} onClick={() => void parse()} loading={parsing} disabled={!text.trim()} data-testid="holidays-parse">
          {t('holidays.parse')}
        </Button>
        {parsed && (
          <div style={{ marginTop: 8 }}>
            {parsed.festivals.length > 0 && <Alert type="success" showIcon title={t('holidays.parsed', { count: parsed.festivals.length })} data-testid="holidays-parsed" style={{ marginBottom: 8 }} />}
            {parsed.problems.length > 0 && (
              <Alert
                type="warning"
                showIcon
                data-testid="holidays-problems"
                title={t('holidays.problems')}
                description={
                  <ul style={{ margin: 0, paddingInlineStart: 20 }}>
                    {parsed.problems.map((p, i) => (
                      <li key={i}>
                        {p.line > 0 && <Tag>{t('holidays.problemLine', { line: p.line })}</Tag>}
                        {p.message}
                        {p.text && (
                          <Typography.Text type="secondary" style={{ marginInlineStart: 6 }}>
                            「{p.text}」
                          </Typography.Text>
                        )}
                      </li>
                    ))}
                  </ul>
                }
              />
            )}
            {parsed.skipped.length > 0 && (
              <Collapse
                ghost
                size="small"
                items={[
                  {
                    key: 's',
                    label: t('holidays.skipped', { count: parsed.skipped.length }),
                    children: (
                      <ul style={{ margin: 0, paddingInlineStart: 20, fontSize: 12 }}>
                        {parsed.skipped.map((s) => (
                          <li key={s.line}>
                            {t('holidays.problemLine', { line: s.line })}
                            {t('common.colon')}
                            {s.text}
                          </li>
                        ))}
                      </ul>
                    ),
                  },
                ]}
              />
            )}
          </div>
        )}
      </Card>
      {error && <Alert type="error" showIcon title={error} style={{ marginBottom: 12 }} data-testid="holidays-error" />}
      <Checkbox checked={combined} onChange={(e) => setCombined(e.target.checked)} style={{ marginBottom: 8 }} data-testid="holidays-combined">
        {t('holidays.combined')}
      </Checkbox>
      <Table<Row>
        size="small"
        rowKey="key"
        pagination={false}
        dataSource={rows}
        data-testid="holidays-rows"
        onRow={(r) => ({ 'data-testid': `holidays-row-${r.key}` }) as React.HTMLAttributes<HTMLElement>}
        scroll={{ x: 860 }}
        columns={[
          {
            title: t('holidays.festival'),
            key: 'name',
            width: 150,
            render: (_: unknown, r) => (
              <Flex vertical>
                <Typography.Text strong>{festivalName(r.key)}</Typography.Text>
                <Typography.Text type="secondary" style={{ fontSize: 12 }} data-testid={`holidays-row-${r.key}-count`}>
                  {dayCount(r) ? t('holidays.dayCount', { count: dayCount(r) }) : t('holidays.festivalNotEntered')}
                </Typography.Text>
              </Flex>
            ),
          },
          {
            title: t('holidays.daysOff'),
            key: 'off',
            render: (_: unknown, r, i) => (
              <Flex vertical gap={4}>
                {r.off.map((range, k) => (
                  <Flex key={k} gap={4} align="center">
                    <DatePicker.RangePicker
                      value={range}
                      allowEmpty={[true, true]}
                      format={[formats.date, D]}
                      onChange={(v) => update(i, (row) => ({ ...row, off: row.off.map((x, j) => (j === k ? ([v?.[0] ?? null, v?.[1] ?? null] as Range) : x)) }))}
                      data-testid={`holidays-row-${r.key}-off-${k}`}
                      data-value={range[0] && range[1] ? `${range[0].format(D)}/${range[1].format(D)}` : ''}
                    />
                    {r.off.length > 1 && (
                      <Button type="text" icon={<DeleteOutlined />} aria-label={t('common.remove')} onClick={() => update(i, (row) => ({ ...row, off: row.off.filter((_, j) => j !== k) }))} />
                    )}
                  </Flex>
                ))}
                <div>
                  <Button size="small" type="dashed" icon={<PlusOutlined />} onClick={() => update(i, (row) => ({ ...row, off: [...row.off, [null, null]] }))}>
                    {t('holidays.addRange')}
                  </Button>
                </div>
              </Flex>
            ),
          },
          {
            title: t('holidays.makeUpDays'),
            key: 'makeUp',
            width: 300,
            render: (_: unknown, r, i) => (
              <DatePicker
                multiple
                value={r.makeUp}
                format={D}
                placeholder={t('holidays.noMakeUp')}
                style={{ width: '100%' }}
                onChange={(v) => update(i, (row) => ({ ...row, makeUp: ((v ?? []) as Dayjs[]).slice().sort((a, b) => a.valueOf() - b.valueOf()) }))}
                data-testid={`holidays-row-${r.key}-makeup`}
                data-value={r.makeUp.map((d) => d.format(D)).join(',')}
              />
            ),
          },
        ]}
      />
      <Card size="small" title={t('holidays.preview')} style={{ marginTop: 12 }}>
        <YearPreview cal={calendar} rows={rows} />
      </Card>
    </Modal>
  );
}
