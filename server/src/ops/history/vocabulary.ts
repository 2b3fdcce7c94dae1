import type { Rng } from './prng.js';

/**
 * The O&M vocabulary the generated tickets are written in: what breaks (by service and
 * category), what customers ask for, what engineers reply and write down. Titles and
 * descriptions are assembled from these parts, so a million tickets read like a desk's
 * history rather than one sentence repeated.
 */

export interface ServiceVocabulary {
  /** The contract's service name (contracts.services) and the ticket's `service`. */
  service: string;
  /** Ticket categories within the service. */
  categories: string[];
  /** Incident titles: an object and what can be wrong with it. */
  incidents: Array<[string, string[]]>;
  /** Service requests. */
  requests: string[];
  /** Consultations (questions). */
  questions: string[];
  /** What fixed it (resolution, worklog notes). */
  fixes: string[];
  /** Which team kind usually works it: line1 (desktop, access) or line2 (systems). */
  line: 'line1' | 'line2';
}

export const SERVICES: ServiceVocabulary[] = [
  {
    service: '服务器运维',
    categories: ['硬件故障', '操作系统', '虚拟化平台', '存储', '备份恢复'],
    incidents: [
      ['HIS 应用服务器', ['宕机', '无法远程登录', 'CPU 占用率持续 100%', '响应缓慢', '频繁重启']],
      ['文件服务器', ['磁盘空间不足', '无法访问共享目录', '硬盘故障灯亮', 'RAID 降级']],
      ['域控服务器', ['系统时间不同步', '宕机', '用户无法登录域']],
      ['虚拟化宿主机', ['内存告警', '宕机', '虚拟机无法启动', '存储连接中断']],
      ['PACS 影像服务器', ['磁盘空间不足', '调阅影像缓慢', '宕机']],
      ['备份服务器', ['备份任务失败', '磁带机报错', '磁盘空间不足']],
      ['存储阵列', ['硬盘故障灯亮', 'RAID 降级', '控制器告警', '电源模块告警']],
      ['OA 服务器', ['宕机', 'CPU 占用率持续 100%', '风扇告警']],
    ],
    requests: ['申请新建虚拟机一台', '服务器操作系统补丁升级', '申请扩容数据盘 500GB', '新增备份策略', '服务器迁移至新机柜', '申请开通服务器远程管理口'],
    questions: ['虚拟机快照保留多久合适', '服务器保修到期如何续保', '备份数据如何恢复到指定时间点', '如何查看服务器硬件健康状态'],
    fixes: ['更换故障硬盘并重建 RAID，阵列状态恢复正常', '清理日志文件释放磁盘空间，并配置日志轮转', '重启相关服务后恢复，已加入监控告警', '更换电源模块，服务器运行正常', '调整虚拟机资源配额，性能恢复', '修复 NTP 配置，时间同步正常', '升级固件后故障消除'],
    line: 'line2',
  },
  {
    service: '网络运维',
    categories: ['网络中断', '无线网络', '网络安全', 'VPN', '广域网专线'],
    incidents: [
      ['核心交换机', ['端口频繁闪断', 'CPU 利用率过高', '环路告警', '电源模块告警']],
      ['接入交换机', ['网络中断', '端口频繁闪断', '终端无法获取 IP 地址']],
      ['无线 AP', ['信号弱、频繁掉线', '无法连接', '离线告警']],
      ['防火墙', ['会话数超限', '配置丢失', '无法访问外网']],
      ['出口路由器', ['丢包严重', '延迟高', '网络中断']],
      ['互联网专线', ['网络中断', '丢包严重', '带宽跑满']],
      ['VPN 网关', ['用户无法拨入', '证书过期', '连接频繁断开']],
      ['楼层弱电间交换机', ['光模块告警', '网络中断', '设备离线']],
    ],
    requests: ['新增信息点 4 个', '申请开通访客无线网络', '申请 VPN 账号', '调整防火墙访问策略', '会议室临时网络保障', '新增 VLAN 划分'],
    questions: ['访客网络如何认证上网', 'VPN 客户端怎么安装', '为什么手机连不上内网无线', '专线带宽能否临时提升'],
    fixes: ['更换故障光模块后链路恢复', '重新配置 DHCP 地址池，终端获取地址正常', '排查为环路导致，已开启环路检测并拆除私接设备', '调整 AP 信道与功率，信号覆盖改善', '联系运营商修复专线，链路恢复', '恢复备份配置，业务正常', '防火墙策略调整后访问正常'],
    line: 'line1',
  },
  {
    service: '桌面运维',
    categories: ['终端故障', '打印机', '软件安装', '账号权限', '外设'],
    incidents: [
      ['打印机', ['卡纸', '无法打印', '打印出现条纹', '脱机']],
      ['办公电脑', ['无法开机', '蓝屏', '运行缓慢', '中毒', '开机报错']],
      ['笔记本电脑', ['无法连接无线网络', '电池无法充电', '蓝屏']],
      ['显示器', ['黑屏', '花屏', '闪烁']],
      ['扫描仪', ['无法识别', '扫描件空白']],
      ['自助服务终端', ['死机', '无法读卡', '触摸屏失灵']],
      ['叫号机', ['无法出号', '屏幕不显示']],
      ['键盘鼠标', ['无响应', '按键失灵']],
    ],
    requests: ['新员工电脑安装配置', '安装办公软件', '申请更换硒鼓', '电脑搬迁', '申请开通共享文件夹权限', '重装操作系统', '安装电子签章控件'],
    questions: ['如何设置默认打印机', '邮箱容量满了怎么办', '怎么连接会议室投影', '忘记开机密码怎么办'],
    fixes: ['清理卡纸并更换搓纸轮，打印正常', '重装驱动后恢复正常', '查杀病毒并修复系统文件', '更换内存条后开机正常', '重装操作系统并恢复用户数据', '更换硒鼓，打印质量恢复', '远程协助完成设置'],
    line: 'line1',
  },
  {
    service: '数据库运维',
    categories: ['性能', '连接', '备份', '数据修复', '高可用'],
    incidents: [
      ['HIS 数据库', ['数据库连接超时', '锁等待严重', '查询响应慢']],
      ['Oracle 数据库', ['表空间不足', '归档日志满', '实例异常重启']],
      ['MySQL 数据库', ['主备同步中断', '连接数耗尽', '查询响应慢']],
      ['SQL Server 数据库', ['备份作业失败', '日志文件过大', '数据库连接超时']],
      ['达梦数据库', ['连接数耗尽', '实例异常重启']],
      ['电子病历数据库', ['查询响应慢', '备份作业失败']],
    ],
    requests: ['申请数据库只读账号', '数据库版本升级', '月底结账前数据库巡检', '新增数据库备份策略', '导出历史数据'],
    questions: ['数据库备份保留周期是多少', '如何申请数据库查询权限', '归档日志多久清理一次'],
    fixes: ['扩展表空间并设置自动扩展', '终止阻塞会话，优化相关 SQL', '修复备份脚本后手工补做备份', '重建主备同步，延迟归零', '调整连接池参数，连接恢复正常', '清理归档日志并调整备份策略'],
    line: 'line2',
  },
  {
    service: '机房环境',
    categories: ['供配电', '空调', '动环监控', '消防'],
    incidents: [
      ['机房 UPS', ['市电中断告警', '电池放电', '旁路告警']],
      ['精密空调', ['温度过高告警', '压缩机故障', '漏水告警']],
      ['动环监控系统', ['通信中断', '采集器离线']],
      ['配电柜', ['跳闸', '电流过载告警']],
      ['机房温湿度传感器', ['湿度异常', '数据不刷新']],
      ['机房门禁', ['无法刷卡进入', '门禁控制器离线']],
    ],
    requests: ['机房巡检', 'UPS 电池更换', '机房新增机柜', '空调滤网清洗', '机房出入授权'],
    questions: ['UPS 能支撑多长时间', '机房温度标准是多少'],
    fixes: ['更换 UPS 电池组，放电测试正常', '清洗空调冷凝器并补充冷媒，温度恢复', '排除漏水点并更换传感器', '恢复动环监控采集器通信'],
    line: 'line2',
  },
  {
    service: '应用系统运维',
    categories: ['业务系统', '邮件', 'OA 办公', '接口'],
    incidents: [
      ['邮件系统', ['邮件无法收发', '附件无法上传', '无法登录']],
      ['HIS 系统', ['无法登录', '页面报错 500', '收费模块卡顿']],
      ['OA 系统', ['流程卡住无法提交', '无法登录', '显示乱码']],
      ['财务系统', ['报表导出失败', '凭证无法保存', '无法登录']],
      ['医保接口', ['接口调用失败', '结算超时', '证书过期']],
      ['门户网站', ['页面报错 500', '证书过期', '访问缓慢']],
      ['视频会议系统', ['无法入会', '声音断续', '画面卡顿']],
    ],
    requests: ['新增系统账号', '重置密码', '调整审批流程', '申请开通邮箱', '系统参数配置变更', '报表模板调整'],
    questions: ['邮箱密码如何修改', '流程审批人如何变更', '系统支持哪些浏览器', '如何导出月度报表'],
    fixes: ['重置账号密码并解锁', '更新证书后接口恢复', '清理浏览器缓存并重装控件', '修复应用配置后页面恢复', '协调开发商修复程序缺陷并发布补丁', '重启应用服务后恢复正常'],
    line: 'line2',
  },
];

const PLACES = ['门诊楼', '住院部', '办公大楼', '行政楼', '三楼办公区', '服务大厅', '财务科', '信息科', '会议室', '档案室', '教学楼', '机房', '二楼护士站', '急诊科', '收费处', '办税服务厅', '网络中心'];
const WHEN = ['今天上午', '今天下午', '刚才', '从早上开始', '昨晚', '十分钟前', '开会期间', '下班前', '系统升级后', '停电恢复后'];
const IMPACTS = ['影响整个科室办公', '影响对外窗口业务', '多名用户反映同样问题', '仅影响一台终端', '影响门诊挂号收费', '业务暂时可用但很慢', '领导要求尽快处理', '影响当天的报表上报', '无法正常开展工作'];
const DETAILS = ['已尝试重启，问题依旧。', '报错信息已截图。', '之前也出现过类似情况。', '用户已清理过缓存。', '监控平台同时有告警。', '其他楼层暂未发现异常。', '现场人员无法自行处理。', ''];
const ASKS = ['请尽快安排处理。', '请工程师远程协助。', '请安排工程师到现场。', '请协助排查原因。', '请回电联系。'];

const PROVIDER_REPLIES = [
  '您好，已收到您的报障，工程师正在远程排查，请稍候。',
  '已安排工程师前往现场处理，预计 30 分钟内到达。',
  '初步判断为硬件故障，备件已在调拨中。',
  '已远程处理完毕，请您确认是否恢复正常。',
  '问题原因已找到，正在修复，预计一小时内恢复。',
  '需要您提供一下报错截图和终端编号，谢谢配合。',
  '已联系厂商工程师协同处理，有进展第一时间通知您。',
  '请您重启电脑后再试一次，如仍有问题请回复。',
];
const CUSTOMER_REPLIES = ['好的，谢谢。', '问题依旧，请尽快处理。', '已恢复正常，辛苦了。', '截图已上传，请查看。', '下午两点后现场有人，请那时过来。', '收到，等待处理。'];
const NOTES = ['客户对响应速度比较在意，注意及时回复。', '同类问题本月第三次，建议做问题管理。', '备件库存不足，已申请采购。', '需二线协助，已电话沟通。', '客户联系人更换，新联系人电话已更新。'];
const VISIT_RESULTS = ['现场检查完成，故障已排除。', '更换配件后测试正常。', '现场无法修复，设备带回维修。', '已临时恢复，待备件到货后彻底处理。'];
const WORKLOG_NOTES = ['远程排查', '现场处理', '电话指导用户操作', '检查日志并分析原因', '配合厂商处理', '测试验证'];
const CANCEL_REASONS = ['用户重复报障', '用户已自行解决', '误报，设备运行正常', '不属于合同服务范围，已告知客户'];
const REOPEN_REASONS = ['问题再次出现', '处理后仍无法使用', '只解决了部分问题'];
const COMPLAINTS = ['工程师到场不及时', '故障反复出现未彻底解决', '服务态度不好', '处理过程无人跟进', '维修后设备仍有问题', '电话多次无人接听'];

export interface TicketText {
  service: ServiceVocabulary;
  category: string;
  title: string;
  description: string;
}

/** The title and description of a ticket of this kind. */
export function ticketText(rng: Rng, kind: 'incident' | 'request' | 'consultation' | 'complaint', service: ServiceVocabulary): TicketText {
  const category = rng.pick(service.categories);
  const place = rng.pick(PLACES);
  let title: string;
  let description: string;
  switch (kind) {
    case 'incident': {
      const [object, symptoms] = rng.pick(service.incidents);
      const symptom = rng.pick(symptoms);
      title = `${place}${object}${symptom}`;
      description = `${rng.pick(WHEN)}${place}的${object}出现${symptom}，${rng.pick(IMPACTS)}。${rng.pick(DETAILS)}${rng.pick(ASKS)}`;
      break;
    }
    case 'request':
      title = `${place}${rng.pick(service.requests)}`;
      description = `${place}因工作需要，${title.slice(place.length)}，请按流程安排实施。${rng.chance(0.5) ? '已经科室负责人同意。' : ''}`;
      break;
    case 'consultation':
      title = `咨询：${rng.pick(service.questions)}`;
      description = `${place}同事询问：${title.slice(3)}？请给出操作说明。`;
      break;
    case 'complaint': {
      const topic = rng.pick(COMPLAINTS);
      title = `投诉：${topic}`;
      description = `${place}反映${topic}，${rng.pick(IMPACTS)}，要求给出书面说明和整改措施。`;
      break;
    }
  }
  return { service, category, title: title.slice(0, 200), description };
}

export const providerReply = (rng: Rng) => rng.pick(PROVIDER_REPLIES);
export const customerReply = (rng: Rng) => rng.pick(CUSTOMER_REPLIES);
export const internalNote = (rng: Rng) => rng.pick(NOTES);
export const visitResult = (rng: Rng) => rng.pick(VISIT_RESULTS);
export const worklogNote = (rng: Rng) => rng.pick(WORKLOG_NOTES);
export const cancelReason = (rng: Rng) => rng.pick(CANCEL_REASONS);
export const reopenReason = (rng: Rng) => rng.pick(REOPEN_REASONS);
export const resolutionOf = (rng: Rng, service: ServiceVocabulary, kind: string) =>
  kind === 'consultation' ? '已电话解答并发送操作说明。' : kind === 'complaint' ? '已与客户沟通说明情况，落实整改措施并回访。' : rng.pick(service.fixes);

// ---------------------------------------------------------------- people and organisations

const SURNAMES = [...'王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤'];
const GIVEN = [...'伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华建文辉力鹏飞宇浩然志远晓燕海波婷雪琳斌峰亮俊红梅林云晨欣怡子轩博宁凯鑫'];

export function personName(rng: Rng): string {
  const given = rng.chance(0.6) ? rng.pick(GIVEN) + rng.pick(GIVEN) : rng.pick(GIVEN);
  return rng.pick(SURNAMES) + given;
}

export const CITIES = ['江州', '临海', '青溪', '云城', '南屏', '柳城', '金川', '安平', '石门', '白沙', '东阳', '西林', '清河', '长宁', '永安', '平湖', '宁远', '丰城', '兴化', '瑞安', '新余', '广陵', '凤台', '桐乡'];

/** Organisation kinds by customer tier (1: critical, 7×24; 3: small, office hours). */
export const ORG_KINDS: Record<1 | 2 | 3, Array<{ suffix: string; code: string; places: string[] }>> = {
  1: [
    { suffix: '市人民医院', code: 'RMYY', places: ['门诊楼', '住院部', '医技楼', '门诊楼机房', '急诊科'] },
    { suffix: '市中心医院', code: 'ZXYY', places: ['门诊楼', '住院部', '信息科', '数据中心机房'] },
    { suffix: '市社会保险事业管理中心', code: 'SBZX', places: ['办公大楼', '服务大厅', '数据中心机房'] },
    { suffix: '农村商业银行', code: 'NSYH', places: ['总行大楼', '营业部', '灾备中心', '科技部'] },
    { suffix: '市供电公司', code: 'GDGS', places: ['调度中心', '办公大楼', '营业厅'] },
  ],
  2: [
    { suffix: '市税务局', code: 'SWJ', places: ['办公大楼', '办税服务厅', '信息中心', '数据中心机房'] },
    { suffix: '市政务服务中心', code: 'ZWZX', places: ['服务大厅', '办公区', '网络机房'] },
    { suffix: '市水务集团', code: 'SWJT', places: ['调度中心', '营业厅', '办公楼'] },
    { suffix: '市公共资源交易中心', code: 'JYZX', places: ['开标大厅', '评标区', '机房'] },
    { suffix: '职业技术学院', code: 'ZYXY', places: ['行政楼', '图书馆', '网络中心', '实训楼'] },
  ],
  3: [
    { suffix: '市第一中学', code: 'YZ', places: ['行政楼', '教学楼', '网络中心机房'] },
    { suffix: '区档案馆', code: 'DAG', places: ['办公楼', '档案库房'] },
    { suffix: '精密制造有限公司', code: 'JMZZ', places: ['办公楼', '一号车间', '仓库'] },
    { suffix: '物流有限公司', code: 'WLGS', places: ['调度中心', '仓储区'] },
    { suffix: '社区卫生服务中心', code: 'SQWS', places: ['门诊', '办公室'] },
    { suffix: '律师事务所', code: 'LSSW', places: ['办公区', '会议室'] },
  ],
};

export const PINYIN_CITY: Record<string, string> = {
  江州: 'JZ',
  临海: 'LH',
  青溪: 'QX',
  云城: 'YC',
  南屏: 'NP',
  柳城: 'LC',
  金川: 'JC',
  安平: 'AP',
  石门: 'SM',
  白沙: 'BS',
  东阳: 'DY',
  西林: 'XL',
  清河: 'QH',
  长宁: 'CN',
  永安: 'YA',
  平湖: 'PH',
  宁远: 'NY',
  丰城: 'FC',
  兴化: 'XH',
  瑞安: 'RA',
  新余: 'XY',
  广陵: 'GL',
  凤台: 'FT',
  桐乡: 'TX',
};

export const CONTACT_TITLES = ['信息科科长', '网络管理员', '系统管理员', '办公室主任', '科员', '护士长', '值班长', '信息中心主任', '财务主管', '总务科干事'];
