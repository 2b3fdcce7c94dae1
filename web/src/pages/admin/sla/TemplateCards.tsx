import { useMemo, useState } from 'react';
import { Button, Card, Col, Collapse, Flex, Radio, Row, Tag, Typography } from 'antd';
import { ThunderboltOutlined } from '@ant-design/icons';
import type { SlaTemplate } from '../../../api/types';
import { useI18n } from '../../../i18n';
import { useLevelCode, usePolicyLines } from './slaShared';
import { useCalendarLabel } from '../calendars/calendarShared';

/** Seed-document references ("[000 L205]", "[000 L12–14]") are for the docs, not for users. */
const SEED_REF = /\s*\[\d{3} L[^\]]*\]/g;
/** A trailing English gloss in parentheses: "级别按…划分 (classified by impact …)." */
const GLOSS = /^(.*?)\s*\(([^()]*[A-Za-z]{3}[^()]*)\)\s*\.?$/s;

/** A template note in the reader's language, without seed references: the Chinese text, or its English gloss. */
export function noteText(note: string, locale: string): string {
  const clean = note.replace(SEED_REF, '').trim();
  const m = GLOSS.exec(clean);
  // "…培训 [000 L234–237]." leaves an ASCII full stop after Chinese text
  if (!m) return locale === 'zh-CN' ? clean.replace(/(\p{Script=Han}|）)\.$/u, '$1。') : clean;
  return locale === 'zh-CN' ? m[1].replace(/[，,；;\s]+$/, '') + (/[。.]$/.test(m[1]) ? '' : '。') : m[2].charAt(0).toUpperCase() + m[2].slice(1).replace(/\.?$/, '.');
}

function TemplateCard({
  template,
  onApply,
  applying,
}: {
  template: SlaTemplate;
  onApply?: (templateId: SlaTemplate['id'], policyId: string) => void;
  applying?: boolean;
}) {
  const { t, locale } = useI18n();
  // Calendars a template brings (T4's daily 12 and 8 hours) are named by the template until applied.
  const names = useMemo(() => new Map([...template.calendars, ...(template.calendarsUsed ?? [])].map((c) => [c.id, c.name])), [template]);
  const lines = usePolicyLines(names);
  const label = useCalendarLabel();
  const levelCode = useLevelCode();
  const [policyId, setPolicyId] = useState(template.policies[0]?.id ?? '');
  const several = template.policies.length > 1;
  const summary = (p: SlaTemplate['policies'][number]) => (
    <ul style={{ margin: '4px 0 0', paddingInlineStart: 18 }}>
      {lines(p, template.levels).map((l) => (
        <li key={l.key}>
          <Typography.Text strong>{l.label}</Typography.Text>
          {t('common.colon')}
          {l.text}
        </li>
      ))}
    </ul>
  );
  return (
    <Card
      size="small"
      style={{ height: '100%' }}
      data-testid={`sla-template-${template.id}`}
      title={
        <span style={{ whiteSpace: 'normal' }} data-testid={`sla-template-${template.id}-name`}>
          {template.name}
        </span>
      }
      actions={
        onApply
          ? [
              <Button
                key="apply"
                type="primary"
                icon={<ThunderboltOutlined />}
                loading={applying}
                onClick={() => onApply(template.id, policyId)}
                data-testid={`sla-template-${template.id}-apply`}
              >
                {t('sla.applyTemplate')}
              </Button>,
            ]
          : undefined
      }
    >
      {(template.calendarsUsed?.length ?? 0) > 0 && (
        <Typography.Paragraph style={{ fontSize: 12, marginBottom: 8 }} data-testid={`sla-template-${template.id}-calendars`}>
          <Typography.Text type="secondary">
            {t('sla.calendarsUsed')}
            {t('common.colon')}
          </Typography.Text>
          {template.calendarsUsed!.map((c) => label({ id: c.id, name: c.name, builtin: true })).join(locale === 'zh-CN' ? '；' : '; ')}
        </Typography.Paragraph>
      )}
      {template.levels.length > 0 && (
        <Flex gap={4} wrap style={{ marginBottom: 8 }}>
          <Typography.Text type="secondary">{t('sla.levels')}{t('common.colon')}</Typography.Text>
          {[...template.levels]
            .sort((a, b) => a.rank - b.rank)
            .map((l) => (
              <Tag key={l.code} title={levelCode(l)}>
                {l.name}
              </Tag>
            ))}
        </Flex>
      )}
      {several ? (
        <>
          <Typography.Text type="secondary">{t('sla.policyChoice')}{t('common.colon')}</Typography.Text>
          <Radio.Group
            value={policyId}
            onChange={(e) => setPolicyId(e.target.value as string)}
            style={{ display: 'flex', flexDirection: 'column', gap: 8, marginTop: 4 }}
            data-testid={`sla-template-${template.id}-policy`}
          >
            {template.policies.map((p) => (
              <Radio key={p.id} value={p.id}>
                <span data-testid={`sla-template-${template.id}-policy-${p.id}`}>
                  <Typography.Text strong>{p.name}</Typography.Text>
                </span>
                {summary(p)}
              </Radio>
            ))}
          </Radio.Group>
        </>
      ) : (
        template.policies.map((p) => (
          <div key={p.id}>
            <Typography.Text strong>{p.name}</Typography.Text>
            {summary(p)}
          </div>
        ))
      )}
      {template.notes.length > 0 && (
        <Collapse
          ghost
          size="small"
          style={{ marginTop: 8 }}
          items={[
            {
              key: 'notes',
              label: t('sla.notes'),
              children: (
                <ul style={{ margin: 0, paddingInlineStart: 18, fontSize: 12 }}>
                  {template.notes.map((n, i) => (
                    <li key={i}>{noteText(n, locale)}</li>
                  ))}
                </ul>
              ),
            },
          ]}
        />
      )}
    </Card>
  );
}

/** The five templates from the seed documents, each with its levels and targets in words. */
export function TemplateCards({
  templates,
  onApply,
  applying,
}: {
  templates: SlaTemplate[];
  onApply?: (templateId: SlaTemplate['id'], policyId: string) => void;
  applying?: string | null;
}) {
  return (
    <Row gutter={[16, 16]} data-testid="sla-templates">
      {templates.map((tpl) => (
        <Col key={tpl.id} xs={24} lg={12} xxl={8}>
          <TemplateCard template={tpl} onApply={onApply} applying={applying === tpl.id} />
        </Col>
      ))}
    </Row>
  );
}
