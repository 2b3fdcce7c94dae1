import type { KeyboardEvent, ReactNode } from 'react';
import { Alert, Button, Flex, Typography } from 'antd';
import { ReloadOutlined, SaveOutlined, UndoOutlined } from '@ant-design/icons';
import { useI18n } from '../i18n';

// Pieces of the editors of one document saved as a whole with its version (a calendar, a
// contract's SLA): the sticky bar with the unsaved state, 撤销修改 and 保存, and the alert for a
// failed save (field errors, or a stale version with a reload).

/** What a failed save says: the server's text, a list of what it names, or a conflict. */
export interface SaveProblem {
  text: string;
  conflict?: boolean;
}

/** The server's text, and when it named fields, that the typed values are kept ("请修改标出的字段后再保存"). */
export function useSaveProblemText() {
  const { t, errorText, locale } = useI18n();
  return (e: unknown, namesFields: boolean): string => {
    const text = errorText(e);
    if (!namesFields) return text;
    const sep = /[。．.!！?？]$/.test(text) ? ' ' : locale === 'zh-CN' ? '。' : '. ';
    return text + sep + t('common.unsavedHint');
  };
}

/** The form's onKeyDown: Ctrl+Enter (⌘+Enter) saves, unless the editor is read-only. */
export function saveOnCtrlEnter(enabled: boolean, save: () => void) {
  return (e: KeyboardEvent) => {
    if (e.key === 'Enter' && (e.ctrlKey || e.metaKey) && enabled) {
      e.preventDefault();
      save();
    }
  };
}

export function EditorSaveBar({
  dirty,
  saving,
  onUndo,
  onSave,
  saveLabel,
  testids,
}: {
  dirty: boolean;
  saving: boolean;
  /** Absent: no undo (a document not saved yet). */
  onUndo?: () => void;
  onSave: () => void;
  saveLabel: string;
  testids: { state: string; undo: string; save: string };
}) {
  const { t } = useI18n();
  return (
    // Above a table's fixed columns (antd stacks them up to 2 × columns + 3: 13 for the SLA targets), below popups.
    <Flex
      justify="space-between"
      align="center"
      gap={8}
      wrap
      style={{ position: 'sticky', top: 56, zIndex: 20, background: '#f5f7fa', padding: '8px 0', marginBottom: 8 }}
    >
      <Typography.Text type={dirty ? 'warning' : 'secondary'} data-testid={testids.state}>
        {dirty ? t('common.unsaved') : t('common.submitHint')}
      </Typography.Text>
      <Flex gap={8}>
        {onUndo && (
          <Button icon={<UndoOutlined />} disabled={!dirty || saving} onClick={onUndo} data-testid={testids.undo}>
            {t('common.undo')}
          </Button>
        )}
        <Button type="primary" icon={<SaveOutlined />} loading={saving} onClick={onSave} data-testid={testids.save}>
          {saveLabel}
        </Button>
      </Flex>
    </Flex>
  );
}

export function EditorProblemAlert({
  problem,
  details,
  onReload,
  testids,
}: {
  problem: SaveProblem;
  /** Below the text when the save did not conflict (e.g. the fields the server named). */
  details?: ReactNode;
  onReload: () => void;
  testids: { error: string; conflict: string; reload: string };
}) {
  const { t } = useI18n();
  return (
    <Alert
      type={problem.conflict ? 'warning' : 'error'}
      showIcon
      style={{ marginBottom: 16 }}
      data-testid={problem.conflict ? testids.conflict : testids.error}
      title={problem.text}
      description={problem.conflict ? t('common.conflictText') : details}
      action={
        problem.conflict && (
          <Button size="small" icon={<ReloadOutlined />} onClick={onReload} data-testid={testids.reload}>
            {t('common.reload')}
          </Button>
        )
      }
    />
  );
}
