// Full-text search (#12 item 3–4): the top bar's grouped results. zh-CN and en-US, spread into zh-CN.ts / en-US.ts.

export const searchZhCN = {
  'search.kind.ticket': '工单',
  'search.kind.article': '知识',
  'search.kind.ci': '配置项',
  'search.kind.contact': '联系人',
  'search.kind.customer': '客户',
  'search.count': '{n} 条',
  'search.countCapped': '{n}+ 条',
  'search.none': '没有找到与“{q}”相关的内容',
  'search.allTickets': '在工单列表中查看全部匹配的工单 ↵',
};

export const searchEnUS: Record<keyof typeof searchZhCN, string> = {
  'search.kind.ticket': 'Tickets',
  'search.kind.article': 'Knowledge',
  'search.kind.ci': 'Configuration items',
  'search.kind.contact': 'Contacts',
  'search.kind.customer': 'Customers',
  'search.count': '{n}',
  'search.countCapped': '{n}+',
  'search.none': 'Nothing found for "{q}"',
  'search.allTickets': 'All matching tickets in the ticket list ↵',
};
