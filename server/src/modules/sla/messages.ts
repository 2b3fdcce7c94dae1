import { registerMessages } from '../../platform/i18n/index.js';

registerMessages(
  {
    'sla.calendar.builtin': { zh: '内置服务日历不能删除，可复制后修改', en: 'A built-in calendar cannot be deleted; copy it and edit the copy' },
  },
  {
    start: { zh: '开始时间', en: 'Start' },
    minutes: { zh: '分钟数', en: 'Minutes' },
    days: { zh: '工作日数', en: 'Working days' },
    month: { zh: '月份', en: 'Month' },
    ics: { zh: 'iCalendar 内容', en: 'iCalendar text' },
    weekly: { zh: '每周工作时间', en: 'Weekly hours' },
    holidays: { zh: '节假日', en: 'Holidays' },
    workdays: { zh: '调休工作日', en: 'Make-up working days' },
  },
);
