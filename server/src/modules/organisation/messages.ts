import { registerMessages } from '../../platform/i18n/index.js';

/** Messages and field names of the organisation module (words per shared/design/GLOSSARY.md). */
registerMessages(
  {
    'org.codeFormat': { zh: '{field}只能包含字母、数字、下划线和连字符', en: '{field} may contain only letters, digits, "_" and "-"' },
    'org.phoneFormat': { zh: '{field}只能包含数字、+、- 和空格，长度 5–20', en: '{field} may contain only digits, "+", "-" and spaces, 5–20 characters' },
    'org.customerNotFound': { zh: '{field}：客户不存在或无权访问', en: '{field}: no such customer, or you may not access it' },
    'org.siteNotFound': { zh: '{field}：服务地点不存在或不属于该客户', en: '{field}: no such site for this customer' },
    'org.siteCycle': { zh: '{field}不能是该服务地点自身或其下级', en: '{field} cannot be the site itself or one of its descendants' },
    'org.notProviderUser': { zh: '{field}：用户不存在或不是服务方人员', en: '{field}: no such user on the provider side' },
    'org.duplicateItem': { zh: '{field}中有重复项：{value}', en: '{field} lists "{value}" twice' },
    'org.calendarRequired': { zh: '自定义服务时间需要指定{field}', en: 'Custom service hours need a {field}' },
    'org.customerArchived': { zh: '客户已归档，不能再添加服务地点、联系人或合同', en: 'The customer is archived; no sites, contacts or contracts can be added' },
    'org.customerRecordProviderOnly': { zh: '客户档案只能由服务方维护', en: 'Only the provider may change the customer record' },
    'org.contactInUse': { zh: '联系人仍被工单等记录引用，无法删除', en: 'The contact is still referred to by tickets or other records and cannot be deleted' },
    'org.siteInUse': { zh: '服务地点仍被配置项等记录引用，无法删除', en: 'The site is still referred to by configuration items or other records and cannot be deleted' },
    'org.contractInUse': { zh: '服务合同仍被工单等记录引用，无法删除', en: 'The contract is still referred to by tickets or other records and cannot be deleted' },
    'org.customerInUse': { zh: '客户仍有服务合同、用户账号或其他记录引用，无法删除；请改为归档', en: 'The customer still has contracts, user accounts or other records; archive it instead' },
    // contacts import (.xlsx)
    'org.import.required': { zh: '请上传 .xlsx 文件（表单字段 file）', en: 'Upload an .xlsx file (form field "file")' },
    'org.import.notXlsx': { zh: '文件不是 .xlsx 格式（.xls、.csv 等请先另存为 .xlsx）', en: 'The file is not an .xlsx workbook (save .xls or .csv as .xlsx first)' },
    'org.import.corrupt': { zh: '文件已损坏，无法读取', en: 'The file is damaged and cannot be read' },
    'org.import.tooLarge': { zh: '文件过大（上限 {limit}）', en: 'The file is too large (limit {limit})' },
    'org.import.empty': { zh: '工作表是空的', en: 'The worksheet is empty' },
    'org.import.noHeader': { zh: '第一行必须是表头，且至少包含“姓名”列', en: 'The first row must be a header row with at least a "姓名" (name) column' },
    'org.import.duplicateHeader': { zh: '表头“{column}”重复出现', en: 'The header "{column}" appears twice' },
    'org.import.noRows': { zh: '表头下面没有数据行', en: 'There are no data rows below the header' },
    'org.import.tooManyRows': { zh: '数据行过多（{count} 行，上限 {max} 行）', en: 'Too many data rows ({count}; at most {max})' },
    'org.import.siteUnknown': { zh: '服务地点“{value}”不存在', en: 'There is no site "{value}"' },
    'org.import.siteAmbiguous': { zh: '有多个服务地点名为“{value}”', en: 'Several sites are named "{value}"' },
    'org.import.vip': { zh: '{field}只能填 是/否（或 Y/N、1/0）', en: '{field} must be yes/no (or Y/N, 1/0)' },
    'org.import.cell': { zh: '{field}的单元格内容无法识别', en: '{field}: the cell value cannot be read' },
  },
  {
    site: { zh: '服务地点', en: 'Site' },
    isVip: { zh: 'VIP', en: 'VIP' },
    emailNotify: { zh: '邮件通知', en: 'Email notifications' },
    assignment: { zh: '分派方式', en: 'Assignment' },
    slaPolicy: { zh: 'SLA 策略', en: 'SLA policy' },
    archived: { zh: '已归档', en: 'Archived' },
    q: { zh: '搜索词', en: 'Search text' },
  },
);
