import { registerMessages } from '../../platform/i18n/index.js';

/** Messages and field names of full-text search. */
registerMessages(
  {
    'search.kindUnknown': { zh: '{field}中的“{value}”不是可搜索的类型（可选：{values}）', en: '{field}: "{value}" is not a searchable kind (one of {values})' },
    'search.rangeOrder': { zh: '{field}必须晚于开始时间', en: '{field} must be later than the start' },
    'search.nothingToSearch': { zh: '请输入要搜索的文字（标点和表情符号不参与搜索）', en: 'Type some words to search (punctuation and emoji are not searched)' },
    'search.truncated': { zh: '搜索词过长，只用了前 {count} 个词', en: 'The search was long; only its first {count} words were used' },
    'search.noKinds': { zh: '您没有可搜索的内容', en: 'There is nothing you may search' },
  },
  {
    kinds: { zh: '搜索类型', en: 'Kinds' },
    from: { zh: '开始时间', en: 'From' },
    to: { zh: '结束时间', en: 'To' },
  },
);
