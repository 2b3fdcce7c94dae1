import { Readable } from 'node:stream';
import { Document, HeadingLevel, Packer, Paragraph } from 'docx';
import type { Db } from '../db/index.js';
import { escapeHtml } from '../core/knowledge/sanitize.js';
import type { ArticleKind, Audience } from '../core/knowledge/workflow.js';
import type { Actor } from '../platform/auth/actor.js';
import { KnowledgeFileService } from '../modules/knowledge/files.js';
import { ArticleService } from '../modules/knowledge/service.js';
import '../modules/knowledge/messages.js';

/**
 * The demo's knowledge base (docs/KNOWLEDGE.md): a few dozen articles an O&M provider for a
 * hospital, a tax office and a school really keeps — printers, VPN, the HIS client, Wi-Fi, the
 * PACS viewer, passwords, mailboxes, viruses — written by the engineers through the module's own
 * service, most reviewed and published by the desk, some internal, some public to every
 * customer, some for one customer only, and the 维护手册 as an uploaded Word document. Their
 * dates are then spread over the last eight weeks (the services write "now"), so the weekly
 * submissions and the "updated weekly" record have a history. Loaded once: a second run finds
 * the first article and leaves everything as it is.
 */
type CustomerKey = 'hospital' | 'tax' | 'school';

interface DemoArticle {
  kind: ArticleKind;
  title: string;
  symptom?: string;
  cause?: string;
  steps?: string[];
  code?: string;
  body?: string;
  appliesTo?: string;
  category: string;
  tags: string[];
  services?: string[];
  ciTypes?: string[];
  audience: Audience;
  customer?: CustomerKey;
  author: string;
  /** published (default), in_review or draft */
  state?: 'published' | 'in_review' | 'draft';
}

const A: DemoArticle[] = [
  {
    kind: 'solution', title: '打印机卡纸的处理方法', category: '桌面运维', tags: ['打印机', '卡纸', 'HP'], services: ['桌面运维'], ciTypes: ['打印机'], audience: 'customers', author: 'engineer',
    symptom: '打印到一半停止，面板提示“卡纸”或“Paper Jam”，或者纸张皱折着出来。', cause: '纸张受潮、装纸过多或纸张规格不符；搓纸轮老化打滑；分页器磨损。',
    steps: ['关闭打印机电源，等 1 分钟让定影器冷却。', '打开前盖，取出硒鼓，双手均匀用力顺着出纸方向慢慢抽出卡住的纸张，不要撕碎。', '检查纸盒：纸张不超过最高刻度线，导板贴紧纸张，换用干燥的 70–80 克复印纸。', '装回硒鼓，开机打印测试页。', '同一台打印机一周内卡纸 3 次以上，请报障，由工程师上门清洁或更换搓纸轮、分页器。'],
    appliesTo: 'HP LaserJet M403/M404、M427 等激光打印机；其他品牌步骤类似。',
  },
  {
    kind: 'solution', title: 'VPN 连接失败（错误 809 / 无法建立连接）', category: '网络运维', tags: ['VPN', '远程办公', '809'], services: ['网络运维'], ciTypes: ['VPN 网关'], audience: 'customers', author: 'chenjing',
    symptom: '在家或出差时连接单位 VPN，提示“错误 809”“无法建立连接”或一直停在“正在验证用户名和密码”。', cause: '家用路由器屏蔽了 UDP 500/4500 端口、系统时间不准导致证书校验失败，或账号密码过期。',
    steps: ['确认电脑已经能正常上网（打开任意网站）。', '检查电脑右下角的日期时间是否准确，不准请改为自动同步。', '换用手机热点再连一次：如果热点能连上，说明是家里路由器拦截，可在路由器中开启“IPSec 穿透/VPN 穿透”。', '在 VPN 客户端中重新输入账号和密码（注意大小写），密码过期请先在单位内网修改。', '仍然连不上，请截图报错信息并报障，写明使用的网络（家庭宽带/热点/酒店）。'],
  },
  {
    kind: 'solution', title: 'HIS 客户端登录报错“无法连接数据库服务器”', category: '业务系统', tags: ['HIS', '登录', '数据库'], services: ['业务系统运维'], ciTypes: ['HIS 服务器'], audience: 'named', customer: 'hospital', author: 'engineer',
    symptom: '打开 HIS 客户端输入工号密码后提示“无法连接数据库服务器”或“连接超时”，同科室其他电脑正常。', cause: '本机 IP 被改动不在数据库白名单网段、hosts 文件被清理软件改写，或客户端版本过旧。',
    steps: ['按 Win+R 输入 cmd，执行下面的命令，确认能连通 HIS 服务器。', '若不通，检查本机 IP 是否为科室网段（10.20.x.x），不是请改回自动获取或联系信息科。', '用记事本打开 C:\\Windows\\System32\\drivers\\etc\\hosts，确认有 his-db 一行。', '运行桌面上的“HIS 升级程序”更新到最新版本后再登录。'],
    code: 'ping his-db.jzrmyy.local\ntelnet his-db.jzrmyy.local 1521',
    appliesTo: '江州市人民医院门诊、住院各科室的 HIS 客户端（Windows 7/10）。',
  },
  {
    kind: 'solution', title: '无线网络 Wi‑Fi 已连接但上不了网', category: '网络运维', tags: ['Wi-Fi', '无线', 'DHCP'], services: ['网络运维'], ciTypes: ['无线 AP'], audience: 'customers', author: 'chenjing',
    symptom: '笔记本或手机显示已连接单位 Wi‑Fi，但网页打不开，图标上有黄色感叹号。', cause: '没有完成网页认证、获取到 169.254 开头的无效地址，或所在区域 AP 故障。',
    steps: ['打开浏览器访问任意网址，若弹出认证页面，用工号和密码登录。', '在命令提示符执行 ipconfig，看 IPv4 地址是否以 169.254 开头；是则“忘记网络”后重新连接。', '换到另一个房间或楼层再试；只有某一处连不上，多半是附近的 AP 故障，请报障并写明具体位置（楼层、房间号）。'],
    code: 'ipconfig /release\nipconfig /renew',
  },
  {
    kind: 'solution', title: 'PACS 影像调阅慢、图像加载转圈', category: '业务系统', tags: ['PACS', '影像', '性能'], services: ['业务系统运维'], ciTypes: ['PACS 服务器', '交换机'], audience: 'internal', author: 'zhaolei',
    symptom: '医生工作站打开 CT/MR 影像需要 1 分钟以上，缩略图加载后大图一直转圈。', cause: '工作站与 PACS 之间链路降速为百兆、PACS 存储卷使用率超过 90%，或影像预取任务堆积。',
    steps: ['在工作站上用 iperf 测试到 PACS 服务器的带宽，低于 500 Mbps 检查接入交换机端口协商速率。', '登录 PACS 服务器查看存储使用率，超过 90% 时通知信息科执行历史影像迁移。', '查看预取队列，清理超过 24 小时未完成的任务后重启预取服务。', '处理后请医生重新调阅同一检查，记录打开时间写入工单。'],
    code: 'iperf3 -c 10.20.1.50 -t 10\ndf -h /pacs/storage',
    appliesTo: '江州市人民医院放射科、各临床科室的 PACS 阅片工作站。',
  },
  {
    kind: 'howto', title: '域账号密码重置（自助与服务台两种方式）', category: '账号与权限', tags: ['密码', '重置', 'AD'], services: ['桌面运维'], audience: 'customers', author: 'desk',
    body: '<p>密码连续输错 5 次会锁定 30 分钟，也可以按下面的方法重置。</p>',
    steps: ['自助：在内网打开 https://password.jz.gov.example.cn ，用绑定的手机号接收验证码后设置新密码。', '新密码至少 8 位，包含大写字母、小写字母和数字，不能与最近 5 次相同。', '无法自助时拨打服务台热线，说明姓名、工号和所在科室，服务台核实身份后重置为临时密码。', '用临时密码登录后系统会要求立即修改。'],
  },
  {
    kind: 'faq', title: '邮箱容量满了怎么办？', category: '邮件', tags: ['邮箱', '容量', 'Outlook'], services: ['桌面运维'], audience: 'customers', author: 'chenjing',
    body: '<p><strong>问：</strong>收到“邮箱已满，无法接收新邮件”的提示怎么办？</p><p><strong>答：</strong>单位邮箱容量为 2 GB。请先清空“已删除邮件”和“垃圾邮件”，再删除带大附件的旧邮件（可在 Outlook 中按“大小”排序）。需要保留的旧邮件可以在 Outlook 中“存档”到本机 PST 文件。仍然不够的，由部门负责人在服务台申请扩容。</p>',
  },
  {
    kind: 'solution', title: '电脑中病毒或弹出勒索提示的应急处理', category: '安全', tags: ['病毒', '勒索', '杀毒'], services: ['安全运维'], ciTypes: ['终端'], audience: 'customers', author: 'zhaolei',
    symptom: '电脑弹出大量广告窗口、文件图标变成白板或扩展名被改、桌面出现“您的文件已被加密”的提示。', cause: '打开了来历不明的邮件附件或 U 盘中的程序，感染了木马或勒索病毒。',
    steps: ['立即拔掉网线或关闭 Wi‑Fi，不要关机，防止病毒在内网扩散。', '不要支付任何赎金，不要自行删除被加密的文件。', '马上拨打服务台热线报障，说明电脑所在位置和看到的提示（可用手机拍照）。', '工程师到场后用离线杀毒盘全盘查杀，并根据备份恢复数据。'],
  },
  {
    kind: 'known_error', title: '已知错误：Windows 更新 KB5034441 后部分电脑无法打印', category: '桌面运维', tags: ['打印机', 'Windows 更新', '已知错误'], services: ['桌面运维'], ciTypes: ['打印机', '终端'], audience: 'customers', author: 'zhaolei',
    symptom: '安装 1 月份 Windows 累积更新后，通过共享方式连接的打印机提示“0x0000011b”无法打印。', cause: '微软修改了打印后台处理程序的 RPC 认证级别，旧的共享打印方式被拒绝。',
    steps: ['临时解决：改用打印机的 IP 地址直接添加（添加打印机 → TCP/IP 地址）。', '永久解决：工程师在打印服务器上安装新驱动并统一下发，已在计划中。'],
  },
  {
    kind: 'howto', title: '如何安装和使用电子税务局 UKey 驱动', category: '业务系统', tags: ['税务', 'UKey', '驱动'], services: ['业务系统运维'], audience: 'named', customer: 'tax', author: 'engineer',
    steps: ['从内网门户“软件下载”栏目下载 UKey 驱动安装包，右键以管理员身份运行。', '安装完成后插入 UKey，右下角出现“证书助手”图标表示识别成功。', '用 IE 模式打开电子税务局，点击“证书登录”，输入 UKey 口令。', '提示“未检测到证书”时，换一个 USB 口并重新插拔 UKey。'],
  },
  {
    kind: 'solution', title: '金税系统开票软件提示“连接税局服务器失败”', category: '业务系统', tags: ['税务', '开票', '网络'], services: ['业务系统运维'], audience: 'named', customer: 'tax', author: 'engineer',
    symptom: '开票软件上传发票时提示“连接税局服务器失败”，本机可以正常上网。', cause: '政务外网出口策略变更或本机代理设置拦截了税局服务器地址。',
    steps: ['在 IE 的“Internet 选项 → 连接 → 局域网设置”中取消代理服务器。', '执行下面的命令检查到税局服务器的连通性。', '不通时记录结果并报障，由网络工程师检查政务外网出口策略。'],
    code: 'tracert fp.tax.example.gov.cn',
  },
  {
    kind: 'howto', title: '教室多媒体投影无信号的检查步骤', category: '多媒体', tags: ['投影', '多媒体', 'HDMI'], services: ['桌面运维'], ciTypes: ['投影仪'], audience: 'named', customer: 'school', author: 'desk',
    steps: ['确认中控面板已开机，投影信号源选择“电脑”。', '电脑按 Win+P 选择“复制”。', '重新插拔 HDMI 线两端，换另一根线试一试。', '仍无信号时报障，写明教室编号。'],
  },
  {
    kind: 'faq', title: '新员工入职需要开通哪些账号？', category: '账号与权限', tags: ['入职', '账号'], audience: 'customers', author: 'desk',
    body: '<p>由部门负责人在门户提交“服务请求 → 账号开通”，写明姓名、工号、科室和需要的系统（域账号、邮箱、HIS/业务系统、VPN）。服务台在 1 个工作日内开通并把初始密码发送到负责人手机。</p>',
  },
  {
    kind: 'solution', title: '核心交换机端口 err-disabled 的恢复', category: '网络运维', tags: ['交换机', '端口', 'err-disabled'], services: ['网络运维'], ciTypes: ['交换机'], audience: 'internal', author: 'zhaolei',
    symptom: '某楼层整片断网，接入交换机上联口指示灯熄灭，核心交换机日志出现 err-disabled。', cause: '环路或 BPDU Guard 触发端口保护性关闭。',
    steps: ['登录核心交换机查看端口状态和日志，确认触发原因。', '排除环路后（拔掉可疑的桌面小交换机），在端口下 shutdown / no shutdown 恢复。', '在工单中记录端口号和原因；同一端口一月内第二次触发时提交问题单。'],
    code: 'show interfaces status err-disabled\nshow logging | include ERR\ninterface GigabitEthernet1/0/24\n shutdown\n no shutdown',
  },
  {
    kind: 'solution', title: '服务器 RAID 硬盘告警的更换流程', category: '机房', tags: ['RAID', '硬盘', '服务器'], services: ['机房运维'], ciTypes: ['服务器'], audience: 'internal', author: 'sunhao',
    symptom: '监控告警“Physical Disk Predictive Failure”，服务器前面板硬盘指示灯琥珀色闪烁。', cause: '硬盘出现坏道或即将失效。',
    steps: ['在 iDRAC/iLO 中确认故障盘槽位和型号、序列号。', '确认阵列仍为降级可用状态，先做一次增量备份。', '按备件流程领取同型号硬盘，热插拔更换，观察重建进度。', '重建完成后关闭告警，在工单中登记更换的备件序列号。'],
  },
  {
    kind: 'howto', title: '机房 UPS 月度巡检项目', category: '机房', tags: ['UPS', '巡检', '机房'], services: ['机房运维'], ciTypes: ['UPS'], audience: 'internal', author: 'sunhao',
    steps: ['记录输入电压、输出电压、负载率，负载率超过 70% 需报告。', '检查电池组电压，单节偏差超过 0.5V 的标记待更换。', '查看告警记录和自检结果。', '巡检结果填写到巡检单并拍照上传。'],
  },
  {
    kind: 'solution', title: 'Outlook 一直提示输入密码', category: '邮件', tags: ['Outlook', '邮箱', '密码'], services: ['桌面运维'], audience: 'customers', author: 'chenjing',
    symptom: 'Outlook 反复弹出输入密码的窗口，输入正确密码后仍然弹出。', cause: '修改域密码后 Windows 凭据管理器中保存的是旧密码。',
    steps: ['关闭 Outlook。', '打开“控制面板 → 凭据管理器 → Windows 凭据”，删除所有与邮件服务器相关的条目。', '重新打开 Outlook，输入新密码并勾选“记住我的凭据”。'],
  },
  {
    kind: 'howto', title: '科室共享文件夹的访问方法', category: '桌面运维', tags: ['共享', '文件服务器'], services: ['桌面运维'], audience: 'named', customer: 'hospital', author: 'engineer',
    steps: ['按 Win+R 输入 \\\\fs01\\科室名称 回车。', '提示输入账号时使用域账号（jzrmyy\\工号）。', '找不到科室文件夹或没有写权限，请科室负责人在门户提交权限申请。'],
  },
  {
    kind: 'faq', title: '服务台的服务时间和联系方式', category: '服务指南', tags: ['服务台', '热线'], audience: 'customers', author: 'desk',
    body: '<p>服务台 7×24 小时受理报障，热线 0576-8888 6666；也可以在客户门户“报告问题”，或发邮件到服务台邮箱。紧急故障请直接打电话，服务台会在 5 分钟内响应。</p>',
  },
  {
    kind: 'solution', title: '电脑开机很慢、卡在“正在准备 Windows”', category: '桌面运维', tags: ['Windows', '开机慢'], services: ['桌面运维'], ciTypes: ['终端'], audience: 'customers', author: 'engineer',
    symptom: '开机需要 5 分钟以上，或长时间停在“正在准备 Windows，请不要关闭计算机”。', cause: '系统正在安装更新，或机械硬盘老化、可用空间不足。',
    steps: ['第一次出现时耐心等待更新完成，不要强制关机。', '开机后清理 C 盘：右键 C 盘 → 属性 → 磁盘清理。', '经常如此请报障，工程师会检查硬盘健康度，必要时更换为固态硬盘。'],
  },
  {
    kind: 'solution', title: '自助机（挂号缴费机）读卡失败', category: '业务系统', tags: ['自助机', '读卡器', '医保卡'], services: ['业务系统运维'], ciTypes: ['自助终端'], audience: 'named', customer: 'hospital', author: 'sunhao',
    symptom: '自助机插入医保卡或就诊卡后提示“读卡失败，请重新插卡”。', cause: '读卡器触点脏污，或读卡器 USB 连接松动、驱动异常。',
    steps: ['用酒精棉片清洁读卡器触点，重新插卡。', '在自助机后台执行“设备自检”，读卡器状态异常时重启自助机。', '重启后仍失败，在设备上挂“暂停使用”牌并报障，写明自助机编号。'],
  },
  {
    kind: 'howto', title: '视频会议终端的开会步骤', category: '多媒体', tags: ['视频会议', '会议室'], services: ['桌面运维'], ciTypes: ['视频会议终端'], audience: 'named', customer: 'tax', author: 'chenjing',
    steps: ['会议前 15 分钟打开终端和电视，遥控器选择“呼叫”。', '输入会议号（见会议通知），按呼叫键入会。', '入会后先测试麦克风：说话时屏幕上的音量条应跳动。', '需要共享电脑画面时，把 HDMI 线接到电脑并选择“辅流”。'],
  },
  {
    kind: 'solution', title: '打印机脱机或打印任务卡在队列中', category: '桌面运维', tags: ['打印机', '脱机', '打印队列'], services: ['桌面运维'], ciTypes: ['打印机'], audience: 'customers', author: 'engineer', state: 'in_review',
    symptom: '打印机状态显示“脱机”，或文档一直停在打印队列里不出纸。', cause: '打印机 IP 变化、网络中断，或打印后台处理服务卡住。',
    steps: ['确认打印机已开机、网线或 Wi‑Fi 正常，面板上能看到 IP 地址。', '在“设置 → 打印机”中取消勾选“脱机使用打印机”。', '清空打印队列后重新打印；无法删除的任务可重启“Print Spooler”服务。'],
    code: 'net stop spooler\ndel /q %systemroot%\\System32\\spool\\PRINTERS\\*\nnet start spooler',
  },
  {
    kind: 'solution', title: '医生工作站扫码枪无法录入', category: '业务系统', tags: ['扫码枪', '条码'], services: ['业务系统运维'], ciTypes: ['扫码枪'], audience: 'named', customer: 'hospital', author: 'chenjing', state: 'in_review',
    symptom: '扫码枪扫码有“嘀”声，但 HIS 输入框里没有内容或出现乱码。', cause: '输入法处于中文状态，或扫码枪被误设为其他接口模式。',
    steps: ['把输入法切换到英文状态后再扫码。', '仍然不行时，用说明书上的“恢复出厂设置”条码和“USB 键盘模式”条码重新设置扫码枪。'],
  },
  {
    kind: 'howto', title: '门禁卡开通与挂失', category: '服务指南', tags: ['门禁', '一卡通'], audience: 'named', customer: 'school', author: 'desk', state: 'draft',
    steps: ['新教师入职由办公室统一提交开卡申请。', '遗失后立即在门户报告，服务台当天挂失，补卡需 2 个工作日。'],
  },
];

const MANUAL_CHAPTERS: Array<[string, string[]]> = [
  ['第一章 服务范围', ['本手册适用于江州市人民医院信息系统运维服务，涵盖终端、网络、机房、业务系统四类服务对象。', '服务台 7×24 小时受理，热线 0576-8888 6666。']],
  ['第二章 日常巡检', ['机房每日巡检：温湿度、UPS 负载率、精密空调告警、服务器指示灯。', '网络每周巡检：核心交换机 CPU 与内存使用率、端口错误计数、光模块收光功率。']],
  ['第三章 故障处理流程', ['服务台受理后 10 分钟内派单，一线工程师 30 分钟内响应；现场故障 1 小时内到场。', 'HIS、PACS 等核心业务系统故障按紧急级别处理，同时报告项目经理。']],
  ['第四章 备份与恢复', ['HIS 数据库每日全量备份、每小时归档日志备份，备份保留 30 天；每季度做一次恢复演练。']],
];

async function manualDocx(): Promise<Buffer> {
  const children: Paragraph[] = [new Paragraph({ text: '江州市人民医院信息系统维护手册', heading: HeadingLevel.TITLE })];
  for (const [title, paras] of MANUAL_CHAPTERS) {
    children.push(new Paragraph({ text: title, heading: HeadingLevel.HEADING_1 }));
    for (const p of paras) children.push(new Paragraph({ text: p }));
  }
  return Packer.toBuffer(new Document({ sections: [{ children }] }));
}

function bodyOf(a: DemoArticle): string {
  const parts: string[] = [];
  if (a.body) parts.push(a.body);
  if (a.steps?.length) parts.push(`<ol>${a.steps.map((s) => `<li>${escapeHtml(s)}</li>`).join('')}</ol>`);
  if (a.code) parts.push(`<pre><code class="language-bash">${escapeHtml(a.code)}</code></pre>`);
  return parts.join('');
}

export interface KnowledgeDemoInput {
  customerIds: Record<CustomerKey, number>;
  userIds: Map<string, number>;
  actorOf: (userId: number) => Promise<Actor>;
}

const WEEK = 7 * 86_400_000;

/** Loads the demo articles (once); returns how many were written. */
export async function loadKnowledge(db: Db, input: KnowledgeDemoInput, log: (line: string) => void = () => {}): Promise<number> {
  const first = await db.selectFrom('kb_articles').select('id').where('title', '=', A[0].title).executeTakeFirst();
  if (first) {
    log('knowledge: the demo articles are already there');
    return 0;
  }
  const articles = new ArticleService(db);
  const reviewer = await input.actorOf(input.userIds.get('desk')!);
  const ids: number[] = [];
  for (const a of A) {
    const author = await input.actorOf(input.userIds.get(a.author)!);
    const customerId = a.customer ? input.customerIds[a.customer] : null;
    const created = await articles.create(author, {
      kind: a.kind,
      title: a.title,
      symptom: a.symptom ?? null,
      cause: a.cause ?? null,
      appliesTo: a.appliesTo ?? null,
      bodyHtml: bodyOf(a),
      category: a.category,
      tags: a.tags,
      linkedServices: a.services ?? [],
      ciTypes: a.ciTypes ?? [],
      audience: a.audience,
      audienceCustomerIds: a.audience === 'named' && customerId !== null ? [customerId] : [],
      customerId,
      fileIds: [],
    });
    ids.push(created.id);
    const state = a.state ?? 'published';
    if (state === 'draft') continue;
    const submitted = await articles.transition(author, created.id, { version: created.version, action: 'submit', note: null });
    if (state === 'published') await articles.transition(reviewer, created.id, { version: submitted.version, action: 'publish', note: null });
  }
  // The 维护手册 (REQ #126): an uploaded Word document whose text search finds.
  const pm = await input.actorOf(input.userIds.get('pm')!);
  const doc = await new KnowledgeFileService(db).upload(pm, '江州市人民医院信息系统维护手册.docx', Readable.from([await manualDocx()]), () => false);
  const manual = await articles.create(pm, {
    kind: 'document', title: '江州市人民医院信息系统维护手册（2026 版）', symptom: null, cause: null, appliesTo: null,
    bodyHtml: '<p>维护手册汇总服务范围、日常巡检、故障处理流程和备份恢复要求，每年修订一次。正文见附件。</p>',
    category: '维护手册', tags: ['维护手册', '巡检', '备份'], linkedServices: ['机房运维', '业务系统运维'], ciTypes: [], audience: 'named',
    audienceCustomerIds: [input.customerIds.hospital], customerId: input.customerIds.hospital, fileIds: [doc.id],
  });
  const sub = await articles.transition(pm, manual.id, { version: manual.version, action: 'submit', note: null });
  await articles.transition(reviewer, manual.id, { version: sub.version, action: 'publish', note: null });
  ids.push(manual.id);
  await spreadOverWeeks(db, ids);
  log(`knowledge: ${ids.length} articles (published, in review and drafts; internal, for every customer and for one), the 维护手册 as a Word document`);
  return ids.length;
}

/**
 * The services wrote every article "now"; the demo's history spreads them over the last eight
 * weeks (newest last, the in-review ones this week) so the weekly views have something to show.
 */
async function spreadOverWeeks(db: Db, ids: number[]): Promise<void> {
  await db.transaction().execute(async (trx) => {
    for (let i = 0; i < ids.length; i++) {
      const row = await trx.selectFrom('kb_articles').select(['state']).where('id', '=', ids[i]).executeTakeFirstOrThrow();
      if (row.state !== 'published') continue;
      const back = (7 - (i % 8)) * WEEK + (i % 5) * 86_400_000;
      if (back <= 0) continue;
      await trx
        .updateTable('kb_articles')
        .set((eb) => ({
          created_at: eb(eb.ref('created_at'), '-', back),
          updated_at: eb(eb.ref('updated_at'), '-', back),
          submitted_at: eb(eb.ref('submitted_at'), '-', back),
          published_at: eb(eb.ref('published_at'), '-', back),
          reviewed_at: eb(eb.ref('reviewed_at'), '-', back),
          review_due_at: eb(eb.ref('review_due_at'), '-', back),
        }))
        .where('id', '=', ids[i])
        .execute();
      await trx.updateTable('kb_article_versions').set((eb) => ({ created_at: eb(eb.ref('created_at'), '-', back) })).where('article_id', '=', ids[i]).execute();
    }
  });
}
