import { useState } from 'react';
import { useNavigate } from 'react-router';
import { useQueryClient } from '@tanstack/react-query';
import { Alert, Button, Card, Checkbox, Col, Flex, Progress, Result, Row, Select, Steps, Table, Typography, Upload } from 'antd';
import { DownloadOutlined, InboxOutlined } from '@ant-design/icons';
import { ApiError, buildUrl, readCookie, type FieldError, type Problem } from '../../api/client';
import { useI18n, type MessageKey } from '../../i18n';
import { PageHeader } from '../../components/PageHeader';
import { RemoteSelect } from '../../components/RemoteSelect';
import { CIS, typeLabel, useCiTypes, type ImportResult } from './api';

type Phase = 'read' | 'check' | 'write' | 'index';
interface Progress_ {
  phase: Phase;
  done?: number;
  total?: number;
}
interface RowError {
  key: number;
  sheet: string;
  row: number | null;
  column: string;
  message: string;
}

/** `rows[物理服务器!7].memoryGb` (or row/column/sheet given) → sheet, row, column. */
function parseError(e: FieldError & { sheet?: string }, i: number): RowError {
  const m = /^rows\[(.+)!(\d+)\](?:\.(.+))?$/.exec(e.field ?? '');
  return {
    key: i,
    sheet: e.sheet ?? m?.[1] ?? '',
    row: e.row ?? (m ? Number(m[2]) : null),
    column: e.column ?? m?.[3] ?? '',
    message: e.message,
  };
}

/**
 * Reads the import's answer: a stream of JSON lines with the progress (Accept:
 * application/x-ndjson) ending with the result or the problem; a server answering with one JSON
 * document is read too.
 */
async function runImport(file: File, query: Record<string, string | undefined>, locale: string, onProgress: (p: Progress_) => void): Promise<ImportResult> {
  const fd = new FormData();
  fd.append('file', file);
  const headers: Record<string, string> = { Accept: 'application/x-ndjson, application/json, application/problem+json', 'Accept-Language': locale };
  const csrf = readCookie('yw_csrf');
  if (csrf) headers['X-CSRF-Token'] = csrf;
  const res = await fetch(buildUrl(`${CIS}/import`, query), { method: 'POST', body: fd, headers, credentials: 'same-origin' });
  const ctype = res.headers.get('content-type') ?? '';
  if (!ctype.includes('ndjson')) {
    const body = (await res.json().catch(() => ({ title: res.statusText }))) as Problem | ImportResult;
    if (!res.ok) throw new ApiError(res.status, body as Problem);
    return body as ImportResult;
  }
  const reader = res.body!.getReader();
  const dec = new TextDecoder();
  let buf = '';
  for (;;) {
    const { value, done } = await reader.read();
    if (value) buf += dec.decode(value, { stream: true });
    let nl: number;
    while ((nl = buf.indexOf('\n')) >= 0) {
      const line = buf.slice(0, nl).trim();
      buf = buf.slice(nl + 1);
      if (!line) continue;
      const msg = JSON.parse(line) as { phase?: Phase; done?: number | boolean; total?: number; result?: ImportResult; error?: Problem };
      if (msg.done === true) {
        if (msg.error) throw new ApiError(msg.error.status ?? 400, msg.error);
        return msg.result!;
      }
      if (msg.phase) onProgress({ phase: msg.phase, done: typeof msg.done === 'number' ? msg.done : undefined, total: msg.total });
    }
    if (done) break;
  }
  throw new ApiError(res.status || 500, { title: 'import: no result' });
}

/**
 * 导入配置项: the template (all types or one), an .xlsx file, optionally the customer of rows
 * without one and a check without writing; a progress bar while it runs; every row/column
 * problem in a table when nothing was imported; the counts per sheet when it was.
 */
export default function ImportPage() {
  const { t, locale, errorText, fmtNumber } = useI18n();
  const navigate = useNavigate();
  const qc = useQueryClient();
  const types = useCiTypes();
  const [typeId, setTypeId] = useState<number | undefined>();
  const [customerId, setCustomerId] = useState<number | null>(null);
  const [dryRun, setDryRun] = useState(false);
  const [running, setRunning] = useState<string | null>(null);
  const [progress, setProgress] = useState<Progress_ | null>(null);
  const [result, setResult] = useState<ImportResult | null>(null);
  const [failure, setFailure] = useState<{ text: string; errors: RowError[] } | null>(null);

  const start = async (file: File) => {
    setResult(null);
    setFailure(null);
    if (!/\.xlsx$/i.test(file.name)) {
      setFailure({ text: t('cmdb.import.notXlsx'), errors: [] });
      return;
    }
    setRunning(file.name);
    setProgress({ phase: 'read' });
    try {
      const r = await runImport(file, { customerId: customerId ? String(customerId) : undefined, dryRun: dryRun ? '1' : undefined }, locale, setProgress);
      setResult(r);
      if (!r.dryRun) void qc.invalidateQueries({ queryKey: [CIS] });
    } catch (e) {
      const errors = e instanceof ApiError ? e.errors.map((x, i) => parseError(x, i)) : [];
      setFailure({ text: errorText(e), errors });
    } finally {
      setRunning(null);
      setProgress(null);
    }
  };

  const phaseIndex = progress ? ['read', 'check', 'write', 'index'].indexOf(progress.phase) : 0;
  const percent = progress?.total ? Math.round(((progress.done ?? 0) / progress.total) * 100) : 0;

  return (
    <div data-testid="page-ci-import">
      <PageHeader onBack={() => navigate('/cmdb')} title={t('cmdb.import.title')} subtitle={t('cmdb.import.subtitle')} />
      <Row gutter={[16, 16]}>
        <Col xs={24} lg={9}>
          <Card size="small" title={t('cmdb.import.step1')}>
            <Typography.Paragraph type="secondary">{t('cmdb.import.templateHelp')}</Typography.Paragraph>
            <Flex gap={8} wrap>
              <Select
                allowClear
                placeholder={t('cmdb.import.allTypes')}
                value={typeId}
                onChange={setTypeId}
                options={(types.data ?? []).map((x) => ({ value: x.id, label: typeLabel(x, locale) }))}
                style={{ width: 180 }}
                data-testid="ci-import-template-type"
              />
              <Button icon={<DownloadOutlined />} href={buildUrl(`${CIS}/import-template`, { typeId })} data-testid="ci-import-template">
                {t('cmdb.import.template')}
              </Button>
            </Flex>
          </Card>
          <Card size="small" title={t('cmdb.import.step2')} style={{ marginTop: 16 }}>
            <Typography.Paragraph type="secondary">{t('cmdb.import.customerHelp')}</Typography.Paragraph>
            <RemoteSelect resource="customers" value={customerId} onChange={(v) => setCustomerId((v as number | null) ?? null)} placeholder={t('cmdb.import.customer')} testid="ci-import-customer" />
            <Checkbox checked={dryRun} onChange={(e) => setDryRun(e.target.checked)} style={{ marginTop: 12 }} data-testid="ci-import-dry-run">
              {t('cmdb.import.dryRun')}
            </Checkbox>
          </Card>
        </Col>
        <Col xs={24} lg={15}>
          <Card size="small" title={t('cmdb.import.step3')}>
            <div data-testid="ci-import-upload">
              <Upload.Dragger
                accept=".xlsx,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
                multiple={false}
                showUploadList={false}
                disabled={!!running}
                beforeUpload={(file) => {
                  void start(file);
                  return false;
                }}
              >
                <p className="ant-upload-drag-icon">
                  <InboxOutlined />
                </p>
                <p className="ant-upload-text">{t('cmdb.import.drop')}</p>
                <p className="ant-upload-hint">{t('cmdb.import.allOrNothing')}</p>
              </Upload.Dragger>
            </div>
            {running && (
              <div style={{ marginTop: 16 }} data-testid="ci-import-progress">
                <Typography.Text>{t('cmdb.import.running', { name: running })}</Typography.Text>
                <Steps
                  size="small"
                  current={phaseIndex}
                  style={{ margin: '12px 0' }}
                  items={(['read', 'check', 'write', 'index'] as const).map((p) => ({ title: t(`cmdb.import.phase.${p}` as MessageKey) }))}
                />
                <Progress percent={percent} status="active" format={() => (progress?.total ? `${fmtNumber(progress.done ?? 0)} / ${fmtNumber(progress.total)}` : '')} />
              </div>
            )}
            {result && (
              <Result
                status="success"
                title={<span data-testid="ci-import-done">{t(result.dryRun ? 'cmdb.import.checked' : 'cmdb.import.imported', { n: fmtNumber(result.imported) })}</span>}
                subTitle={t('cmdb.import.took', { s: (result.tookMs / 1000).toFixed(1) })}
                extra={
                  <Flex vertical gap={12} align="center">
                    <Table
                      size="small"
                      rowKey="sheet"
                      pagination={false}
                      dataSource={result.bySheet}
                      style={{ minWidth: 300 }}
                      data-testid="ci-import-sheets"
                      columns={[
                        { title: t('cmdb.import.sheet'), dataIndex: 'sheet' },
                        { title: t('cmdb.import.rows'), dataIndex: 'rows', align: 'right', render: (n: number) => fmtNumber(n) },
                      ]}
                    />
                    {!result.dryRun && (
                      <Button type="primary" onClick={() => navigate('/cmdb')} data-testid="ci-import-to-list">
                        {t('cmdb.import.toList')}
                      </Button>
                    )}
                  </Flex>
                }
              />
            )}
            {failure && (
              <div style={{ marginTop: 16 }}>
                <Alert type="error" showIcon title={failure.text} description={failure.errors.length ? t('cmdb.import.nothing', { n: failure.errors.length }) : undefined} data-testid="ci-import-failed" />
                {failure.errors.length > 0 && (
                  <Table<RowError>
                    style={{ marginTop: 12 }}
                    size="small"
                    rowKey="key"
                    dataSource={failure.errors}
                    pagination={failure.errors.length > 100 ? { pageSize: 100, size: 'small' } : false}
                    scroll={{ x: 560 }}
                    data-testid="ci-import-errors"
                    onRow={() => ({ 'data-testid': 'ci-import-error' }) as React.HTMLAttributes<HTMLElement>}
                    columns={[
                      { title: t('cmdb.import.sheet'), dataIndex: 'sheet', width: 130 },
                      { title: t('cmdb.import.row'), dataIndex: 'row', width: 70, render: (r: number | null) => r ?? '—' },
                      { title: t('cmdb.import.column'), dataIndex: 'column', width: 130 },
                      { title: t('cmdb.import.problem'), dataIndex: 'message' },
                    ]}
                  />
                )}
              </div>
            )}
          </Card>
        </Col>
      </Row>
    </div>
  );
}
