import { useEffect, useMemo, useRef, useState } from 'react';
import { useQuery } from '@tanstack/react-query';
import { Alert, App, Button, Flex, Input, Mentions, Segmented, Typography, Upload, type UploadFile } from 'antd';
import { LockOutlined, MessageOutlined, PaperClipOutlined, SendOutlined } from '@ant-design/icons';
import { api, asPage, type Page } from '../../api/client';
import type { Id, Ticket, TicketVisibility, User } from '../../api/types';
import { useI18n } from '../../i18n';
import { useCan, useCurrentUser } from '../../auth/session';
import { useIsMobile } from '../useIsMobile';

export const MAX_ATTACHMENT_BYTES = 20 * 1024 * 1024;

/** Uploads one file to the ticket (multipart field `file`). */
export function uploadAttachment(ticketId: Id, file: File, visibility: TicketVisibility) {
  const body = new FormData();
  body.append('file', file, file.name);
  return api.post(`/tickets/${ticketId}/attachments?visibility=${visibility}`, body);
}

/**
 * The reply box: a public reply or (provider staff) an internal note, @mentions of colleagues,
 * files attached with the same visibility. Ctrl+Enter sends; on an error the text stays.
 */
export function ReplyBox({
  ticket,
  allowInternal,
  onPosted,
  prefix = 'ticket',
  disabled,
}: {
  ticket: Ticket;
  allowInternal: boolean;
  onPosted: () => Promise<unknown> | void;
  /** Testid prefix: `<prefix>-reply-…`. */
  prefix?: string;
  disabled?: boolean;
}) {
  const { t, errorText } = useI18n();
  const { message } = App.useApp();
  const can = useCan();
  const me = useCurrentUser();
  const mobile = useIsMobile();
  const [body, setBody] = useState('');
  const [visibility, setVisibility] = useState<TicketVisibility>('public');
  const [files, setFiles] = useState<UploadFile[]>([]);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const mentioned = useRef(new Map<string, Id>());

  // @mention: colleagues found by name (with users.read), else the people on this ticket.
  const [mq, setMq] = useState('');
  const [mqDebounced, setMqDebounced] = useState('');
  useEffect(() => {
    const h = setTimeout(() => setMqDebounced(mq), 200);
    return () => clearTimeout(h);
  }, [mq]);
  const canSearchUsers = allowInternal && can('users.read');
  const people = useQuery({
    queryKey: ['/users', 'mention', mqDebounced],
    queryFn: ({ signal }) =>
      api
        .get<Page<User> | User[]>('/users', { q: mqDebounced, disabled: 'false', limit: 10 }, { signal })
        .then((d) => asPage(d).items.filter((u) => u.customerId == null && !u.disabled)),
    enabled: canSearchUsers,
    staleTime: 30_000,
  });
  const participants = useMemo(() => {
    const m = new Map<Id, string>();
    if (ticket.assigneeId != null && ticket.assigneeName) m.set(ticket.assigneeId, ticket.assigneeName);
    for (const e of ticket.timeline) {
      if (e.actorId == null || !e.actorName) continue;
      if ((e.type === 'reply' && e.data.provider === false) || e.type === 'created') continue;
      m.set(e.actorId, e.actorName);
    }
    m.delete(me.id);
    return [...m].map(([id, name]) => ({ id, name }));
  }, [ticket, me.id]);
  const mentionOptions = useMemo(() => {
    const list =
      canSearchUsers && people.data
        ? people.data.filter((u) => u.id !== me.id).map((u) => ({ id: u.id, name: u.displayName || u.username }))
        : participants.filter((p) => p.name.includes(mq));
    return list.map((p) => ({ value: p.name, label: p.name, key: String(p.id), id: p.id }));
  }, [canSearchUsers, people.data, participants, mq, me.id]);

  const reset = () => {
    setBody('');
    setFiles([]);
    mentioned.current.clear();
    setError(null);
  };

  const send = async () => {
    if (busy || disabled) return;
    const text = body;
    if (!text.trim() && files.length === 0) {
      setError(t('tickets.reply.empty'));
      return;
    }
    setBusy(true);
    setError(null);
    const vis: TicketVisibility = allowInternal ? visibility : 'public';
    try {
      if (text.trim()) {
        const mentions = allowInternal ? [...mentioned.current].filter(([name]) => text.includes(`@${name}`)).map(([, id]) => id) : [];
        await api.post(`/tickets/${ticket.id}/replies`, { body: text, visibility: vis, mentions: [...new Set(mentions)] });
        setBody('');
        mentioned.current.clear();
      }
      const failed: UploadFile[] = [];
      for (const f of files) {
        try {
          await uploadAttachment(ticket.id, f.originFileObj as File, vis);
        } catch (e) {
          failed.push({ ...f, status: 'error', response: errorText(e) });
          message.error(t('tickets.reply.uploadFailed', { name: f.name, message: errorText(e) }));
        }
      }
      setFiles(failed);
      if (!failed.length) {
        message.success(vis === 'internal' ? t('tickets.reply.noteSent') : t('tickets.reply.sent'));
        reset();
      }
      await onPosted();
    } catch (e) {
      setError(errorText(e));
    } finally {
      setBusy(false);
    }
  };

  const onKeyDown = (e: React.KeyboardEvent) => {
    if (e.key === 'Enter' && (e.ctrlKey || e.metaKey)) {
      e.preventDefault();
      void send();
    }
  };

  const internal = allowInternal && visibility === 'internal';
  const placeholder = internal ? t('tickets.reply.notePlaceholder') : allowInternal ? t('tickets.reply.placeholder') : t('portal.reply.placeholder');

  return (
    <div className={`yw-reply${internal ? ' yw-reply-internal' : ''}`} data-testid={`${prefix}-reply`}>
      {allowInternal && (
        <Segmented
          value={visibility}
          onChange={(v) => setVisibility(v as TicketVisibility)}
          style={{ marginBottom: 8 }}
          options={[
            {
              value: 'public',
              label: (
                <span data-testid={`${prefix}-reply-public`}>
                  <MessageOutlined /> {t('tickets.reply.public')}
                </span>
              ),
            },
            {
              value: 'internal',
              label: (
                <span data-testid={`${prefix}-reply-internal`}>
                  <LockOutlined /> {t('tickets.reply.internal')}
                </span>
              ),
            },
          ]}
        />
      )}
      {allowInternal ? (
        <Mentions
          value={body}
          onChange={setBody}
          onSearch={(q) => setMq(q)}
          onSelect={(o) => {
            const opt = o as { value?: string; id?: Id };
            if (opt.value && opt.id) mentioned.current.set(opt.value, opt.id);
          }}
          options={mentionOptions}
          autoSize={{ minRows: 3, maxRows: 12 }}
          placeholder={placeholder}
          disabled={disabled}
          onKeyDown={onKeyDown}
          data-testid={`${prefix}-reply-body`}
        />
      ) : (
        <Input.TextArea
          value={body}
          onChange={(e) => setBody(e.target.value)}
          autoSize={{ minRows: 3, maxRows: 12 }}
          placeholder={placeholder}
          disabled={disabled}
          onKeyDown={onKeyDown}
          data-testid={`${prefix}-reply-body`}
        />
      )}
      {error && <Alert type="error" showIcon title={error} style={{ marginTop: 8 }} data-testid={`${prefix}-reply-error`} />}
      <Flex justify="space-between" align="flex-start" gap={8} wrap style={{ marginTop: 8 }}>
        <div data-testid={`${prefix}-reply-attach`} style={{ minWidth: 0, flex: 1 }}>
          <Upload
            multiple
            fileList={files}
            disabled={disabled}
            beforeUpload={(f) => {
              if (f.size > MAX_ATTACHMENT_BYTES) {
                message.error(t('tickets.reply.tooLarge', { name: f.name }));
                return Upload.LIST_IGNORE;
              }
              return false;
            }}
            onChange={({ fileList }) => setFiles(fileList)}
          >
            <Button icon={<PaperClipOutlined />} size="small" disabled={disabled}>
              {t('tickets.reply.attach')}
            </Button>
          </Upload>
        </div>
        <Flex align="center" gap={8}>
          {!mobile && (
            <Typography.Text type="secondary" style={{ fontSize: 12 }}>
              {t('tickets.reply.hint')}
            </Typography.Text>
          )}
          <Button type="primary" icon={<SendOutlined />} loading={busy} disabled={disabled} onClick={() => void send()} data-testid={`${prefix}-reply-submit`}>
            {internal ? t('tickets.reply.sendNote') : t('tickets.reply.send')}
          </Button>
        </Flex>
      </Flex>
    </div>
  );
}
