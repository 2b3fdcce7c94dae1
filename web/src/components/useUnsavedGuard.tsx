import { useEffect } from 'react';
import { useBlocker } from 'react-router';
import { App } from 'antd';
import { useI18n } from '../i18n';

/**
 * While `dirty`, leaving the page (a link, back, closing the tab) asks first, so typed
 * changes are not lost by a stray click. Search-param changes on the same page pass.
 */
export function useUnsavedGuard(dirty: boolean) {
  const { t } = useI18n();
  const { modal } = App.useApp();
  const blocker = useBlocker(({ currentLocation, nextLocation }) => dirty && currentLocation.pathname !== nextLocation.pathname);

  useEffect(() => {
    if (blocker.state !== 'blocked') return;
    modal.confirm({
      title: t('common.discardTitle'),
      content: t('common.discardText'),
      okText: t('common.discard'),
      cancelText: t('common.keepEditing'),
      okButtonProps: { danger: true, 'data-testid': 'discard-confirm' },
      onOk: () => blocker.proceed?.(),
      onCancel: () => blocker.reset?.(),
    });
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [blocker.state]);

  useEffect(() => {
    if (!dirty) return;
    const h = (e: BeforeUnloadEvent) => {
      e.preventDefault();
      e.returnValue = '';
    };
    window.addEventListener('beforeunload', h);
    return () => window.removeEventListener('beforeunload', h);
  }, [dirty]);
}
