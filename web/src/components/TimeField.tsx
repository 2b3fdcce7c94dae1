import { useState } from 'react';
import dayjs from 'dayjs';
import { Button, Input, TimePicker } from 'antd';
import { useI18n } from '../i18n';

export const TIME_RE = /^([01]\d|2[0-3]):[0-5]\d$/;

/**
 * A time of day as "HH:mm" (TimePicker). With `allowEndOfDay` the picker's footer offers
 * "24:00" (the end of the day, as calendars allow for an interval's end).
 */
export function TimeField({
  value,
  onChange,
  allowEndOfDay,
  testid,
  placeholder,
  id,
  status,
  disabled,
}: {
  value?: string | null;
  onChange?: (v: string | undefined) => void;
  allowEndOfDay?: boolean;
  testid?: string;
  placeholder?: string;
  id?: string;
  status?: 'error' | 'warning' | '';
  disabled?: boolean;
}) {
  const { t } = useI18n();
  const [open, setOpen] = useState(false);
  if (value === '24:00') {
    return (
      <Input
        id={id}
        value="24:00"
        readOnly
        allowClear
        disabled={disabled}
        status={status}
        onChange={(e) => !e.target.value && onChange?.(undefined)}
        style={{ width: 110 }}
        data-testid={testid}
        title={t('calendars.endOfDay')}
      />
    );
  }
  const parsed = value && TIME_RE.test(value) ? dayjs(`2000-01-01T${value}`) : null;
  return (
    <TimePicker
      id={id}
      format="HH:mm"
      value={parsed}
      open={open}
      onOpenChange={setOpen}
      needConfirm={false}
      showNow={false}
      disabled={disabled}
      status={status}
      placeholder={placeholder ?? 'HH:mm'}
      onChange={(d) => onChange?.(d ? d.format('HH:mm') : undefined)}
      style={{ width: 110 }}
      data-testid={testid}
      renderExtraFooter={
        allowEndOfDay
          ? () => (
              <Button
                size="small"
                type="link"
                onClick={() => {
                  onChange?.('24:00');
                  setOpen(false);
                }}
              >
                24:00（{t('calendars.endOfDay')}）
              </Button>
            )
          : undefined
      }
    />
  );
}
