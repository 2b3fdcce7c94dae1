import { registerMessages } from '../i18n/index.js';

/** Messages and field names of notifications, webhooks and deliveries. */
registerMessages(
  {
    'notify.url': { zh: '{field}必须是以 http:// 或 https:// 开头的网址（不超过 2000 个字符）', en: '{field} must be an http:// or https:// address (at most 2000 characters)' },
    'notify.privateUrl': {
      zh: '{field}指向内网、本机或保留地址，不能作为 Webhook 目标（管理员可通过 WEBHOOK_ALLOWED_NETWORKS 或 WEBHOOK_ALLOW_PRIVATE 允许）',
      en: '{field} points to an internal, local or reserved address, which a webhook may not target (an administrator can allow it with WEBHOOK_ALLOWED_NETWORKS or WEBHOOK_ALLOW_PRIVATE)',
    },
    'notify.unknownCustomer': { zh: '客户不存在或无权访问', en: 'The customer does not exist or you may not access it' },
    'notify.allCustomersNeedsScope': {
      zh: '面向全部客户的 Webhook 会发送所有客户的事件，需要“全部客户”数据范围（权限：{permission}）；请为其指定客户',
      en: 'A webhook for every customer sends every customer\'s events and needs the all-customers data scope (permission: {permission}); choose a customer for it',
    },
    'notify.channel.inapp': { zh: '站内通知', en: 'In-app' },
    'notify.channel.email': { zh: '邮件', en: 'Email' },
    'notify.open': { zh: '查看详情', en: 'Open' },
    'notify.mail.open': { zh: '查看详情：', en: 'Open: ' },
    'notify.mail.footer': {
      zh: '此邮件由运维服务管理平台自动发送，请勿直接回复。可在“通知设置”中选择接收哪些邮件。',
      en: 'Sent automatically by Yunwei; please do not reply. Choose which mails you receive under notification settings.',
    },
    'notify.test.title': { zh: '运维平台测试消息', en: 'Yunwei test message' },
    'notify.test.body': {
      zh: '这是 {user} 从运维平台发送的测试消息。收到此消息说明 Webhook“{name}”配置正确。',
      en: 'This test message was sent by {user} from Yunwei. Receiving it means the webhook "{name}" works.',
    },
  },
  {
    url: { zh: '地址', en: 'URL' },
    secret: { zh: '密钥', en: 'Secret' },
    events: { zh: '事件', en: 'Events' },
    event: { zh: '事件', en: 'Event' },
    channels: { zh: '通知方式', en: 'Channels' },
    enabled: { zh: '启用', en: 'Enabled' },
    unread: { zh: '仅未读', en: 'Unread only' },
    webhookId: { zh: 'Webhook', en: 'Webhook' },
  },
);
