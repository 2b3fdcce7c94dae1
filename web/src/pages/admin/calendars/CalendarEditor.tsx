import { useState } from 'react';
import dayjs, { type Dayjs } from 'dayjs';
import { App, Button, Card, DatePicker, Flex, Form, Input, Select, Table, Typography, type FormInstance } from 'antd';
import { DeleteOutlined, MinusCircleOutlined, PlusOutlined } from '@ant-design/icons';
import { api, isApiError, type FieldError } from '../../../api/client';
import type { Calendar, Interval, SpecialDay } from '../../../api/types';
import { useI18n, type MessageKey } from '../../../i18n';
import { TimeField } from '../../../components/TimeField';
import { timeZoneOptions } from '../../../components/timezones';
import { setServerErrors } from '../../../lib/formErrors';
import { EditorProblemAlert, EditorSaveBar, saveOnCtrlEnter, useSaveProblemText, type SaveProblem } from '../../../components/DocumentEditor';

interface IntervalV {
  start?: string;
  end?: string;
}
interface DayV {
  date?: Dayjs | null;
  name?: string;
  intervals?: IntervalV[];
}
export interface CalendarFormValues {
  name: string;
  timeZone: string;
  /** Index 0 = Monday … 6 = Sunday. */
  weekly: IntervalV[][];
  holidays: DayV[];
  workdays: DayV[];
}

const byDate = (a: SpecialDay, b: SpecialDay) => a.date.localeCompare(b.date);

export function toForm(c: Calendar): CalendarFormValues {
  const days = (list: SpecialDay[]) =>
    [...list].sort(byDate).map((d) => ({ date: dayjs(d.date), name: d.name ?? '', intervals: d.intervals ?? [] }));
  return {
    name: c.name,
    timeZone: c.timeZone,
    weekly: [1, 2, 3, 4, 5, 6, 7].map((d) => (c.weekly[String(d)] ?? []).map((i) => ({ ...i }))),
    holidays: days(c.holidays),
    workdays: days(c.workdays),
  };
}

function fromForm(v: CalendarFormValues) {
  const iv = (list: IntervalV[] | undefined): Interval[] => (list ?? []).map((i) => ({ start: i.start ?? '', end: i.end ?? '' }));
  const days = (list: DayV[] | undefined): SpecialDay[] =>
    (list ?? []).map((d) => {
      const out: SpecialDay = { date: d.date ? d.date.format('YYYY-MM-DD') : '' };
      if (d.name?.trim()) out.name = d.name.trim();
      if (d.intervals?.length) out.intervals = iv(d.intervals);
      return out;
    });
  return {
    name: v.name.trim(),
    timeZone: v.timeZone,
    weekly: Object.fromEntries((v.weekly ?? []).map((list, i) => [String(i + 1), iv(list)])),
    holidays: days(v.holidays),
    workdays: days(v.workdays),
  };
}

/** Server paths (weekly.1[0].end, holidays[3].intervals[1], …) → the form's field names. */
function mapPath(p: (string | number)[]): (string | number)[] {
  const out = [...p];
  if (out[0] === 'weekly' && typeof out[1] === 'number') {
    out[1] = out[1] - 1;
    if (out.length === 3) out.push('start');
  }
  if ((out[0] === 'holidays' || out[0] === 'workdays') && typeof out[1] === 'number') {
    if (out.length === 2) out.push('date');
    if (out[2] === 'intervals' && out.length === 4) out.push('start');
  }
  return out;
}

/** A list of "HH:mm–HH:mm" intervals (Form.List) with add / remove. */
function IntervalsList({
  name,
  testid,
  disabled,
  emptyText,
  addLabel,
}: {
  name: (string | number)[];
  testid: string;
  disabled?: boolean;
  emptyText: string;
  addLabel?: string;
}) {
  const { t } = useI18n();
  return (
    <Form.List name={name}>
      {(fields, { add, remove }) => (
        <Flex vertical gap={6}>
          {fields.length === 0 && (
            <Typography.Text type="secondary" style={{ lineHeight: '32px' }}>
              {emptyText}
            </Typography.Text>
          )}
          {fields.map((f, i) => (
            <Flex key={f.key} gap={6} align="flex-start" data-testid={`${testid}-interval`}>
              <Form.Item
                name={[f.name, 'start']}
                style={{ marginBottom: 0 }}
                rules={[{ required: true, message: t('calendars.intervalIncomplete') }]}
              >
                <TimeField testid={`${testid}-start-${i}`} placeholder={t('calendars.start')} disabled={disabled} />
              </Form.Item>
              <span style={{ lineHeight: '32px' }}>–</span>
              <Form.Item
                name={[f.name, 'end']}
                style={{ marginBottom: 0 }}
                dependencies={[[...name, f.name, 'start']]}
                rules={[
                  { required: true, message: t('calendars.intervalIncomplete') },
                  ({ getFieldValue }) => ({
                    validator: (_, end?: string) => {
                      const start = getFieldValue([...name, f.name, 'start']) as string | undefined;
                      return !start || !end || end > start ? Promise.resolve() : Promise.reject(new Error(t('calendars.intervalBackwards')));
                    },
                  }),
                ]}
              >
                <TimeField allowEndOfDay testid={`${testid}-end-${i}`} placeholder={t('calendars.end')} disabled={disabled} />
              </Form.Item>
              {!disabled && (
                <Button
                  type="text"
                  icon={<MinusCircleOutlined />}
                  onClick={() => remove(f.name)}
                  aria-label={t('common.remove')}
                  data-testid={`${testid}-remove-${i}`}
                />
              )}
            </Flex>
          ))}
          {!disabled && (
            <div>
              <Button
                size="small"
                type="dashed"
                icon={<PlusOutlined />}
                onClick={() => add({})}
                data-testid={`${testid}-add`}
              >
                {addLabel ?? t('calendars.addInterval')}
              </Button>
            </div>
          )}
        </Flex>
      )}
    </Form.List>
  );
}

/** Holidays or make-up working days as an editable table. */
function SpecialDaysTable({ kind, disabled, form }: { kind: 'holidays' | 'workdays'; disabled?: boolean; form: FormInstance }) {
  const { t, formats } = useI18n();
  const testid = `calendar-form-${kind}`;
  return (
    <Form.List name={kind}>
      {(fields, { add, remove }) => (
        <>
          {!disabled && (
            <Button
              type="dashed"
              icon={<PlusOutlined />}
              onClick={() => {
                add({ date: null, name: '', intervals: [] }, 0);
                setTimeout(() => form.scrollToField([kind, 0, 'date'], { block: 'center' }), 0);
              }}
              style={{ marginBottom: 8 }}
              data-testid={`${testid}-add`}
            >
              {kind === 'holidays' ? t('calendars.addHoliday') : t('calendars.addWorkday')}
            </Button>
          )}
          <Table
            size="small"
            rowKey="key"
            data-testid={testid}
            dataSource={fields}
            pagination={false}
            scroll={{ x: 640, y: 420 }}
            locale={{ emptyText: kind === 'holidays' ? t('calendars.noHolidays') : t('calendars.noWorkdays') }}
            onRow={() => ({ 'data-testid': `${testid}-row` }) as React.HTMLAttributes<HTMLElement>}
            columns={[
              {
                title: t('calendars.date'),
                key: 'date',
                width: 170,
                render: (_: unknown, f) => (
                  <Form.Item
                    name={[f.name, 'date']}
                    style={{ marginBottom: 0 }}
                    rules={[{ required: true, message: t('common.requiredSelect', { field: t('calendars.date') }) }]}
                  >
                    <DatePicker format={[formats.date, 'YYYY-MM-DD']} style={{ width: '100%' }} disabled={disabled} data-testid={`${testid}-date`} />
                  </Form.Item>
                ),
              },
              {
                title: t('calendars.dayName'),
                key: 'name',
                width: 180,
                render: (_: unknown, f) => (
                  <Form.Item name={[f.name, 'name']} style={{ marginBottom: 0 }}>
                    <Input maxLength={100} disabled={disabled} placeholder={kind === 'holidays' ? '国庆节' : '国庆节调休上班'} data-testid={`${testid}-name`} />
                  </Form.Item>
                ),
              },
              {
                title: t('calendars.intervals'),
                key: 'intervals',
                render: (_: unknown, f) => (
                  <IntervalsList
                    name={[f.name, 'intervals']}
                    testid={`${testid}-${f.name}`}
                    disabled={disabled}
                    emptyText={kind === 'holidays' ? t('calendars.allDayOff') : t('calendars.mondayHours')}
                    addLabel={t('calendars.addPartDay')}
                  />
                ),
              },
              ...(disabled
                ? []
                : [
                    {
                      title: '',
                      key: 'remove',
                      width: 48,
                      render: (_: unknown, f: { name: number }) => (
                        <Button
                          type="text"
                          danger
                          icon={<DeleteOutlined />}
                          onClick={() => remove(f.name)}
                          aria-label={t('common.remove')}
                          data-testid={`${testid}-remove`}
                        />
                      ),
                    },
                  ]),
            ]}
          />
        </>
      )}
    </Form.List>
  );
}

/**
 * The calendar's editable document: name, zone, weekly hours, holidays, make-up days. Saves
 * with PUT (version); server field errors land on the inputs, a stale version says so and
 * offers a reload, typed values always stay.
 */
export function CalendarEditor({
  calendar,
  readOnly,
  onDirtyChange,
  onSaved,
  onReload,
}: {
  calendar: Calendar;
  readOnly: boolean;
  onDirtyChange: (dirty: boolean) => void;
  onSaved: (c: Calendar) => void;
  onReload: () => void;
}) {
  const { t } = useI18n();
  const { message } = App.useApp();
  const [form] = Form.useForm<CalendarFormValues>();
  const [dirty, setDirtyState] = useState(false);
  const [saving, setSaving] = useState(false);
  const [problem, setProblem] = useState<(SaveProblem & { unmatched: FieldError[] }) | null>(null);
  const problemText = useSaveProblemText();
  const setDirty = (d: boolean) => {
    setDirtyState(d);
    onDirtyChange(d);
  };

  const save = async () => {
    setProblem(null);
    let values: CalendarFormValues;
    try {
      values = await form.validateFields();
    } catch {
      form.scrollToField(form.getFieldsError().find((f) => f.errors.length)?.name ?? 'name', { block: 'center' });
      return;
    }
    setSaving(true);
    try {
      const saved = await api.put<Calendar>(`/calendars/${encodeURIComponent(calendar.id)}`, { ...fromForm(values), version: calendar.version });
      message.success(t('common.saved'));
      setDirty(false);
      onSaved(saved);
    } catch (e) {
      if (isApiError(e) && e.status === 409) {
        setProblem({ text: t('common.conflictTitle'), unmatched: [], conflict: true });
      } else {
        const unmatched = setServerErrors(form, e, { map: mapPath, scroll: true });
        setProblem({ text: problemText(e, isApiError(e) && e.errors.length > unmatched.length), unmatched });
      }
    } finally {
      setSaving(false);
    }
  };

  return (
    <Form<CalendarFormValues>
      form={form}
      layout="vertical"
      initialValues={toForm(calendar)}
      disabled={readOnly}
      onValuesChange={() => !dirty && setDirty(true)}
      data-testid="calendar-form"
      onKeyDown={saveOnCtrlEnter(!readOnly, () => void save())}
    >
      {!readOnly && (
        <EditorSaveBar
          dirty={dirty}
          saving={saving}
          onUndo={() => {
            form.resetFields();
            setProblem(null);
            setDirty(false);
          }}
          onSave={() => void save()}
          saveLabel={t('common.save')}
          testids={{ state: 'calendar-form-state', undo: 'calendar-form-reset', save: 'calendar-form-submit' }}
        />
      )}
      {problem && (
        <EditorProblemAlert
          problem={problem}
          details={
            problem.unmatched.length > 0 ? (
              <ul style={{ margin: 0, paddingInlineStart: 20 }}>
                {problem.unmatched.map((u, i) => (
                  <li key={i}>{u.message}</li>
                ))}
              </ul>
            ) : undefined
          }
          onReload={onReload}
          testids={{ error: 'calendar-form-error', conflict: 'calendar-form-conflict', reload: 'calendar-form-reload' }}
        />
      )}
      <Card size="small" style={{ marginBottom: 16 }}>
        <Flex gap={12} wrap>
          <Form.Item
            name="name"
            label={t('calendars.name')}
            style={{ flex: '2 1 240px' }}
            rules={[{ required: true, whitespace: true, message: t('common.required', { field: t('calendars.name') }) }]}
          >
            <Input maxLength={100} data-testid="calendar-form-name" />
          </Form.Item>
          <Form.Item
            name="timeZone"
            label={t('calendars.timeZone')}
            style={{ flex: '1 1 220px' }}
            rules={[{ required: true, message: t('common.requiredSelect', { field: t('calendars.timeZone') }) }]}
          >
            <Select showSearch={{ optionFilterProp: 'label' }} options={timeZoneOptions(calendar.timeZone)} data-testid="calendar-form-timezone" />
          </Form.Item>
        </Flex>
      </Card>
      <Card size="small" title={t('calendars.weekly')} style={{ marginBottom: 16 }} data-testid="calendar-form-weekly">
        <Typography.Paragraph type="secondary" style={{ fontSize: 12 }}>
          {t('calendars.weeklyHelp')}
        </Typography.Paragraph>
        <Flex vertical gap={10}>
          {[1, 2, 3, 4, 5, 6, 7].map((d) => (
            <Flex key={d} gap={12} align="flex-start" data-testid={`calendar-form-weekday-${d}`}>
              <Typography.Text strong style={{ width: 44, lineHeight: '32px', flex: 'none' }}>
                {t(`calendars.weekday.${d}` as MessageKey)}
              </Typography.Text>
              <IntervalsList name={['weekly', d - 1]} testid={`calendar-form-weekday-${d}`} disabled={readOnly} emptyText={t('calendars.off')} />
            </Flex>
          ))}
        </Flex>
      </Card>
      <Card size="small" title={t('calendars.holidays')} style={{ marginBottom: 16 }}>
        <Typography.Paragraph type="secondary" style={{ fontSize: 12 }}>
          {t('calendars.holidaysHelp')}
        </Typography.Paragraph>
        <SpecialDaysTable kind="holidays" disabled={readOnly} form={form} />
      </Card>
      <Card size="small" title={t('calendars.workdays')} style={{ marginBottom: 16 }}>
        <Typography.Paragraph type="secondary" style={{ fontSize: 12 }}>
          {t('calendars.workdaysHelp')}
        </Typography.Paragraph>
        <SpecialDaysTable kind="workdays" disabled={readOnly} form={form} />
      </Card>
    </Form>
  );
}
