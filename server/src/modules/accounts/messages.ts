import { registerMessages } from '../../platform/i18n/index.js';

/** Messages and field names of users, roles and audit search. Words follow GLOSSARY.md. */
registerMessages(
  {
    'accounts.usernameChars': { zh: '{field}只能包含英文字母、数字和 . _ @ -', en: '{field} may contain only letters, digits and . _ @ -' },
    'accounts.roleCode': {
      zh: '{field}须以小写字母开头，只能包含小写字母、数字和下划线（2–40 个字符）',
      en: '{field} must start with a lower-case letter and contain only lower-case letters, digits and underscores (2–40 characters)',
    },
    'accounts.unknownRole': { zh: '角色“{value}”不存在', en: 'There is no role "{value}"' },
    'accounts.unknownTeam': { zh: '团队 {value} 不存在', en: 'There is no team {value}' },
    'accounts.unknownCustomer': { zh: '客户不存在或已归档', en: 'The customer does not exist or is archived' },
    'accounts.unknownPermission': { zh: '{field}不在权限目录中', en: '{field} is not in the permission catalogue' },
    'accounts.customerRolesOnly': {
      zh: '客户人员只能分配客户角色（客户管理员、客户联系人），“{value}”不是客户角色',
      en: 'A customer\'s staff may hold customer roles only (customer administrator, customer contact); "{value}" is not one',
    },
    'accounts.customerRoleNeedsCustomer': {
      zh: '“{value}”是客户角色，只能分配给属于某个客户的用户（请选择客户）',
      en: '"{value}" is a customer role and needs the user to belong to a customer (choose one)',
    },
    'accounts.contactNotOfCustomer': { zh: '{field}不是该用户所属客户的联系人', en: '{field} is not a contact of the user\'s customer' },
    'accounts.contactCustomerOnly': { zh: '只有客户人员才能关联{field}', en: 'Only a customer\'s staff can be linked to a {field}' },
    'accounts.teamsStaffOnly': { zh: '客户人员不能加入服务方团队', en: 'A customer\'s staff cannot join the provider\'s teams' },
    'accounts.exceedsOwn': {
      zh: '不能管理或授予超出自己权限的用户或角色（缺少权限：{permission}）',
      en: 'You cannot manage or grant more than you hold yourself (missing permission: {permission})',
    },
    'accounts.selfDisable': { zh: '不能停用自己的账号', en: 'You cannot disable your own account' },
    'accounts.lastAdmin': {
      zh: '此操作后将没有任何有效用户拥有“维护角色与权限”权限，系统将无法再管理角色和权限',
      en: 'After this no active user would hold "Edit roles and permissions", and nobody could manage roles any more',
    },
    'accounts.builtinRole': {
      zh: '内置角色“{code}”不能删除（可以修改它的权限）',
      en: 'The built-in role "{code}" cannot be deleted (its permissions can be edited)',
    },
    'accounts.entity.role': { zh: '角色', en: 'role' },
    'accounts.cli.adminCreated': { zh: '已创建管理员 {username}（编号 {id}）', en: 'Created administrator {username} (id {id})' },
    'accounts.cli.unknownUser': { zh: '用户“{username}”不存在或已停用', en: 'There is no active user "{username}"' },
    'accounts.cli.badExpiry': { zh: '无效的有效期“{value}”：请使用 30d、12h、90m、never 或将来的 ISO 时间', en: 'Invalid expiry "{value}": use 30d, 12h, 90m, never or a future ISO instant' },
    'accounts.cli.badScope': { zh: '无效的范围“{value}”：必须是 * 或该用户拥有的权限', en: 'Invalid scope "{value}": use * or a permission the user holds' },
  },
  {
    nameZh: { zh: '中文名称', en: 'Chinese name' },
    nameEn: { zh: '英文名称', en: 'English name' },
    role: { zh: '角色', en: 'Role' },
    teamId: { zh: '团队', en: 'Team' },
    disabled: { zh: '已停用', en: 'Disabled' },
    actorId: { zh: '操作人', en: 'Actor' },
    entity: { zh: '对象类型', en: 'Entity' },
    entityId: { zh: '对象编号', en: 'Entity id' },
    action: { zh: '操作', en: 'Action' },
  },
);
