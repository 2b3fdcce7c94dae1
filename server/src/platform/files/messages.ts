import { registerMessages } from '../i18n/index.js';

/** Messages of the file store. */
registerMessages({
  'files.missing': {
    zh: '文件内容已丢失（升级前保存在 DATA_DIR/files 下的文件在迁移时未找到），请重新上传',
    en: 'The file\'s content is lost (it was kept under DATA_DIR/files before the upgrade and was not found when migrating); upload it again',
  },
});
