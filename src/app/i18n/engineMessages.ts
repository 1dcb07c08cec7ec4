/**
 * Engine messages (src/engine/messages) in the learner's language. The engine never sends a sentence:
 * it sends a code and parameters, and `tm()` renders it here, so a failure reason, a restore error or
 * a lesson check's "why not" reads in 简体中文 like the rest of the page. Terms follow
 * docs/glossary.md (Checkpoint, Savepoint, Barrier, Sink, Source… stay in English, as in Flink's own
 * Chinese documentation). A code missing here is a type error.
 */
import {
  ENGLISH_MESSAGES,
  renderMessage,
  type Catalogue,
  type Template,
  type Message,
  type MessageCode,
  taskManagerList,
} from '../../engine/index';
import { locale } from './i18n.svelte';

/** A space between Chinese and Latin text, none before Chinese (docs/glossary.md, Style). */
const spaced = (v: string): string => (/^[\x20-\x7e]/.test(v) ? ` ${v}` : v);

const TYPE_ZH: Record<string, string> = {
  string: '字符串',
  number: '数字',
  boolean: '布尔值',
  object: '对象',
  array: '数组',
  null: 'null',
  undefined: '缺失（undefined）',
  int: '整数',
  bigint: '整数',
  function: '函数',
};
const typeZh = (t: string | undefined) => (t === undefined ? '' : (TYPE_ZH[t] ?? t));

/** A zod issue of the snapshot schema, in Chinese (zod's own zh-CN locale leaves type names in English). */
function schemaIssueZh(json: string): string {
  let i: Record<string, string | number | boolean>;
  try {
    i = JSON.parse(json) as typeof i;
  } catch {
    return '格式不符合快照规范';
  }
  const expected = typeZh(i.expected as string | undefined);
  const received = typeZh(i.received as string | undefined);
  switch (i.code) {
    case 'invalid_type':
      return received ? `类型错误：应为${expected}，实际是${received}` : `类型错误：应为${expected}`;
    case 'invalid_value':
      return `取值无效：应为 ${String(i.values ?? '')} 之一`;
    case 'too_big':
      return `${i.origin === 'array' ? '元素个数' : i.origin === 'string' ? '长度' : '数值'}过大：应${i.inclusive ? '≤' : '<'} ${String(i.maximum)}`;
    case 'too_small':
      return `${i.origin === 'array' ? '元素个数' : i.origin === 'string' ? '长度' : '数值'}过小：应${i.inclusive ? '≥' : '>'} ${String(i.minimum)}`;
    case 'unrecognized_keys':
      return `有未知的字段：${String(i.keys ?? '')}`;
    case 'invalid_union':
      return '与所有允许的形式都不匹配';
    case 'invalid_format':
      return `格式无效（应为 ${String(i.format ?? '')}）`;
    case 'not_multiple_of':
      return '数值不是所要求的倍数';
    default:
      return '格式不符合快照规范';
  }
}

export const ZH_MESSAGES = {
  text: '{text}',
  unknown: '原因未知',

  'task.injected': '注入的故障',
  'task.injected-by-learner': '你手动注入的故障',
  'task.threw': '{operator}（{task}）抛出异常：{error}',
  'task.threw-in-open': '{operator}（{task}）在 open() 中抛出异常：{error}',
  'task.threw-in-on-timer': '{operator}（{task}）在 onTimer 中抛出异常：{error}',
  'task.poison': '用户函数处理记录 {record} 时抛出异常',
  'task.engine-crash': '引擎崩溃',
  'job.unrecoverable': '该故障不可恢复：{reason}',
  'job.recovery-suppressed': '重启策略 {strategy} 在 {failures} 次故障后不再恢复作业：{reason}',

  'checkpoint.expired': 'Checkpoint 在完成前超时。',
  'checkpoint.declined': '任务 {task} 拒绝了这次 Checkpoint：{reason}',
  'checkpoint.task-failure': '任务失败：{task}：{reason}',
  'checkpoint.storage-write-failed': 'Checkpoint 存储写入失败：{error}',
  'checkpoint.subsumed': 'Checkpoint 被更新的 Checkpoint {id} 取代。',
  'checkpoint.subsumed-barrier': '被 Checkpoint {id} 取代',
  'checkpoint.alignment-aborted': '对齐被中止：Checkpoint {previous} 的对齐尚未完成，Barrier {id} 就到了',
  'checkpoint.declined-on-cancellation-barrier':
    '任务从一个输入收到了取消（{channel} 上 Checkpoint {id} 的 CancelCheckpointMarker）',
  'checkpoint.tolerable-exceeded':
    '连续失败的 Checkpoint 超过了可容忍次数（{tolerable}）：Checkpoint {id}：{reason}',
  'checkpoint.engine-crashed': 'Checkpoint 完成前引擎崩溃。',
  'checkpoint.task-finished': '任务 {task} 在参与 Checkpoint {id} 之前已结束。',
  'checkpoint.memory-state-too-large':
    '任务 {task}：状态大小超过了基于内存的状态所允许的上限。大小 = {size}，上限 = {maxSize}。请考虑换用其他 Checkpoint Storage，例如 FileSystemCheckpointStorage。',

  'recovery.memory-backend': '内存 State Backend 把 Checkpoint 保存在 JobManager 中（随 Worker 一起丢失）',
  'recovery.new-run': '新的一次运行：从头开始',
  'recovery.from-indexeddb': '从 IndexedDB 中的 Checkpoint {id} 恢复',
  'recovery.none-in-indexeddb': 'IndexedDB 中还没有已完成的 Checkpoint：从头开始',
  'recovery.stored-unrestorable': '存储的 Checkpoint {id} 无法恢复（{error}）：从头开始',
  'recovery.imported': '从导入的 {kind}（{id}）恢复',
  'recovery.retained': '从 {kind} {id} 恢复',
  'recovery.memory-no-storage-fault':
    '内存 State Backend 把 Checkpoint 保存在 JobManager 中（随 Worker 一起丢失）：它不向 IndexedDB 写入任何内容，因此没有可以注入故障的存储',
  'recovery.no-job-after-crash': '引擎已重新启动，但之前没有正在运行的作业',
  'editor.worker-hung':
    '引擎 {seconds} 秒没有响应（你的作业一直没有返回）：已停止它并启动了新的引擎；你的作业没有再次运行，已保存的 Checkpoint 都还在',
  'export.none-yet': '还没有已完成的 Checkpoint',
  'export.not-retained': 'Checkpoint {id} 没有被保留（保留的有：{retained}）',
  'kind.checkpoint': 'Checkpoint',
  'kind.savepoint': 'Savepoint',

  'restore.operator-missing':
    '无法回滚到 {what}：算子“{uid}”的状态无法映射到新程序，因为新程序中没有这个算子。若要跳过这部分状态，请设置 allowNonRestoredState（Flink：--allowNonRestoredState）。',
  'restore.max-parallelism-changed':
    '无法回滚到 {what}：算子“{uid}”的最大并行度原来是 {old}，现在是 {now}；它不能改变（键组是扩缩容的最小单位）。',
  'restore.unaligned-rescale':
    '无法回滚到 {what}：算子“{uid}”带有通道状态（非对齐 Checkpoint），而它的并行度从 {old} 变成了 {now}；本模拟器只能对对齐的 Checkpoint 和 Savepoint 做扩缩容。',
  'restore.unaligned-chaining':
    '无法回滚到 {what}：算子“{uid}”在它与“{peer}”之间的边上带有通道状态（非对齐 Checkpoint），而这两个算子现在被链在一起（之间没有通道）；请用做 Checkpoint 时的算子链设置恢复，或从对齐的 Checkpoint 或 Savepoint 恢复。',
  'restore.what': '{kind} {id}',

  'snapshot.internal': '校验时发生内部错误：{error}',
  'snapshot.not-json': '不是有效的 JSON：{error}',
  'snapshot.not-object': '快照必须是一个 JSON 对象',
  'snapshot.format-version': '本版本不支持格式版本 {version}（它能读取的格式版本：{versions} 和 {last}）',
  'snapshot.more-errors': '……另有 {n} 个错误',
  'snapshot.schema': (_p, raw) => schemaIssueZh(String(raw.issue)),
  'snapshot.export-bigint-key': '键 {key} 是 bigint（Java 的 Long）：快照格式目前还无法表示它',
  'snapshot.key-type': '键必须是字符串、数字或布尔值',
  'snapshot.json-too-deep': '嵌套超过 {max} 层',
  'snapshot.json-not-number': '{value} 不是 JSON 数字',
  'snapshot.json-hole': '是数组中的空位，不是 JSON 值',
  'snapshot.json-not-plain': '是一个 {type}，不是普通 JSON（请使用数组和普通对象）',
  'snapshot.json-not-value': (p) => `是 ${typeZh(p.type)}，不是 JSON 值`,
  'snapshot.at-path': '{path}：{problem}',
  'snapshot.export-incremental':
    '增量（RocksDB）Checkpoint 引用了共享文件，无法写成 JSON：请改为触发一个 Savepoint（标准格式）',
  'snapshot.export-not-json': '{problem}：无法写成 JSON',
  'snapshot.none': '无',
  'snapshot.completion-before-trigger': '{completion} 早于 triggerTime {trigger}',
  'snapshot.statistics-id': '{statisticsId} 与 checkpointId {checkpointId} 不一致',
  'snapshot.unknown-operator': '“{uid}”不是作业“{job}”的算子（它的算子有：{operators}）',
  'snapshot.operator-twice': '“{uid}”出现了两次（另见 operators[{first}]）',
  'snapshot.operator-missing': '快照中缺少作业的算子“{uid}”（{name}）',
  'snapshot.max-parallelism': '{maxP} 与作业中“{uid}”的最大并行度 {jobMaxP} 不一致：键组的数量不能改变',
  'snapshot.parallelism-above-max': '{parallelism} 超过了最大并行度 {maxP}',
  'snapshot.subtask-count': '有 {count} 个子任务，但并行度是 {parallelism}',
  'snapshot.subtask-index': '{index} 不小于并行度 {parallelism}',
  'snapshot.subtask-twice': '子任务 {index} 出现了两次（另见 subtasks[{other}]）',
  'snapshot.not-keyed-range': '算子“{uid}”不是 keyed 算子：它的键组范围必须为 null',
  'snapshot.not-keyed-state': '算子“{uid}”不是 keyed 算子：它不能持有 Keyed State',
  'snapshot.keyed-needs-range': '算子“{uid}”是 keyed 算子：必须给出键组范围',
  'snapshot.range-negative': '起点 {start} 是负数',
  'snapshot.range-beyond': '{value} 超出了最大并行度 {maxP}（键组编号是 0..{last}）',
  'snapshot.range-reversed': '起点 {start} 在终点 {end} 之后',
  'snapshot.not-keyed-timers': '算子“{uid}”不是 keyed 算子：它不能有定时器',
  'snapshot.key-groups-uncovered': '键组 {from}..{to} 不属于任何子任务',
  'snapshot.range-overlap': '{start}..{end} 与 subtasks[{other}].keyGroupRange {otherStart}..{otherEnd} 重叠',
  'snapshot.state-twice': '状态“{name}”出现了两次（另见 keyedState[{other}]）',
  'snapshot.state-undeclared': '算子“{uid}”没有声明状态“{name}”（它声明的有：{declared}）',
  'snapshot.state-kind': '状态“{name}”在作业中是 {jobType} 类型，不是 {fileType}',
  'snapshot.state-needs-ttl':
    '状态“{name}”在作业中设置了 TTL：快照中需要 ttl: true 以及 { value, lastAccess } 形式的值',
  'snapshot.state-no-ttl': '状态“{name}”在作业中没有设置 TTL，但快照中是 ttl: true',
  'snapshot.key-twice': '键 {key} 在状态“{name}”中出现了两次（另见 entries[{other}]）',
  'snapshot.key-group': '键 {key} 属于键组 {keyGroup}，不是 {fileKeyGroup}',
  'snapshot.key-outside-range': '键 {key}（键组 {keyGroup}）不在这个子任务的键组范围 {start}..{end} 内',
  'snapshot.ttl-value': '设置了 TTL 的状态，其值的形式是 { "value": ..., "lastAccess": 毫秒 }',
  'snapshot.list-value': 'ListState 的值是由元素组成的数组',
  'snapshot.map-value': 'MapState 的值是由 [userKey, userValue] 对组成的数组',
  'snapshot.map-entry': 'MapState 的条目是一个 [userKey, userValue] 对',
  'snapshot.map-user-key': 'MapState 的 userKey 必须是字符串或数字',
  'snapshot.user-key-twice': 'userKey {key} 出现了两次',
  'snapshot.null-value': '{type} 类型的状态不保存 null（被清除的键没有条目）',
  'snapshot.timer-twice': '同一个定时器出现了两次（另见 timers[{other}]）',
  'snapshot.offsets-not-source': '算子“{uid}”不是 Source',
  'snapshot.transactions-not-2pc': '算子“{uid}”不是两阶段提交的 Sink',
  'snapshot.source-needs-offsets': 'Source“{uid}”需要 sourceOffsets（从哪里继续读取）',
  'snapshot.2pc-needs-transactions': '两阶段提交的 Sink“{uid}”需要 pendingTransactions',
  'snapshot.list-twice': 'Operator State“{name}”出现了两次（另见 lists[{other}]）',
  'snapshot.list-unregistered': '算子“{uid}”没有注册 Operator State“{name}”（它注册的有：{registered}）',
  'snapshot.list-mode': '“{name}”在作业中是 {jobMode} 方式的 ListState，不是 {fileMode}',
  'snapshot.offsets-union':
    'Source 以 union 方式的 ListState 恢复偏移量（每个子任务都能看到所有偏移量，再取走自己的分区），不是“{mode}”',
  'snapshot.no-partition': '日志“{topic}”没有分区 {partition}（它有 {count} 个分区）',
  'snapshot.offset-beyond': '{offset} 超出了日志“{topic}”分区 {partition} 的末尾（共 {length} 条记录）',
  'snapshot.transaction-after': '{id} 晚于快照所属的 Checkpoint {checkpointId}',
  'snapshot.partition-twice': '分区 {partition} 出现了两次（另见 {other}）',
  'snapshot.partitions-without-offset': '日志“{topic}”的分区 {partitions} 在快照中没有偏移量',
  'snapshot.channel-rescale':
    '算子“{uid}”的并行度改变时（快照中 {fileP}，作业中 {jobP}），无法恢复 In-flight 数据',
  'snapshot.channel-not-upstream': '“{peer}”不是 {task} 的上游任务（上游有：{peers}）',
  'snapshot.channel-not-downstream': '“{peer}”不是 {task} 的下游任务（下游有：{peers}）',
  'snapshot.channel-twice': '“{peer}”出现了两次（另见 {side}[{other}]）',
  'snapshot.channel-routing': '它的键 {key} 会被路由到 {actual}，而不是 {expected}',
  'snapshot.channel-key-selector': '作业的 KeySelector 处理它时出错：{error}',
  'snapshot.store-failed': '保存快照失败：{error}',

  'check.no-check': '没有检查条件',
  'check.not-evaluated': '尚未检查',
  'check.unknown': '未知的检查“{kind}”',
  'check.not-within': '{ms} ms 内没有达到',
  'check.none-of': '以下条件都不满足：{whys}',
  'check.must-not': '本步中不应发生，但已经发生：{what}',
  'check.event-phrase': (p) => (p.where ? `${p.what}（${p.where}）` : p.what),
  'check.where.task': '在 {task} 上',
  'check.where.channel': '在通道 {channel} 上',
  'check.where.state': '状态 {state}',
  'check.where.operator': '在 {operator} 中',
  'check.where.field': '{name} = {value}',
  'check.where.and': '{first}，{rest}',
  'check.event-none': '本步开始后还没有发生：{what}',
  'check.event-count': '{what}：本步开始后发生了 {n} 次，至少需要 {need} 次',
  'check.event-none-window': '{window}还没有发生：{what}',
  'check.event-count-window': '{what}：{window}发生了 {n} 次，至少需要 {need} 次',
  'check.event-in-window': '{window}{what}',
  'check.run': '本次运行中（作业上次启动或恢复以来）',
  'check.run-before': '本次运行的前 {ms} ms 内',
  'check.state-subtask': '{key} 在 {operator} 的子任务 {subtask} 中，应在子任务 {want} 中',
  'check.state-missing': '{operator} 的状态 {state} 中还没有 {key}，应为 {want}',
  'check.state-not-empty': '{operator} 的状态 {state} 中 {key} 是 {value}，应当没有值',
  'check.state-value': '{operator} 的状态 {state} 中 {key} 是 {value}，应为 {want}',
  'check.key-in-window': '{key}（窗口 {window}）',
  'check.output-rows': '外部读者在 {sink} 中看到 {n} 行（应为 {want} 行）',
  'check.output-missing': '外部读者在 {sink} 中看不到 {row} 这一行（目前共 {n} 行）',
  'check.keys-at-least': '{operator} 的状态 {state} 有 {n} 个键，至少需要 {need} 个',
  'check.keys-at-most': '{operator} 的状态 {state} 有 {n} 个键，最多只能有 {need} 个',
  'check.entries-at-least': '{operator} 的状态 {state} 存有 {n} 个条目（行、元素），至少需要 {need} 个',
  'check.entries-at-most': '{operator} 的状态 {state} 存有 {n} 个条目（行、元素），最多只能有 {need} 个',
  'check.kind.checkpoint': 'Checkpoint',
  'check.kind.savepoint': 'Savepoint',
  'check.cp-not-savepoint': '{id} 是 Checkpoint，需要的是 Savepoint',
  'check.cp-savepoint': '{id} 是 Savepoint，需要的是 Checkpoint',
  'check.cp-acks': '{kind} {id} {status}时有 {acks}/{tasks} 个确认，应为 {want} 个',
  'check.cp-no-inflight': '{kind} {id} 没有持久化任何 In-flight 数据，应当有',
  'check.cp-inflight': '{kind} {id} 持久化了 {bytes} B 的 In-flight 数据，至少需要 {want} B',
  'check.cp-duration': '{kind} {id} 端到端用时 {ms} ms，至少应为 {want} ms',
  'check.cp-fraction': '{kind} {id} 上传了完整大小的 {pct}%，最多应为 {want}%',
  'check.cp-slow': '{kind} {id} {status}，端到端用时 {ms} ms，最多应为 {max} ms',
  'check.cp-in-a-row': '本步开始后最多连续 {found} 个 Checkpoint {status}，应为连续 {need} 个',
  'check.cp-in-a-row-within':
    '本步开始后最多连续 {found} 个 Checkpoint 在端到端 {max} ms 内{status}，应为连续 {need} 个',
  'check.cp-count': '本步开始后有 {found} 个符合条件且{status}的 Checkpoint，至少需要 {need} 个',
  'check.cp-none': '本步开始后还没有{status}的 Checkpoint',
  'check.cp-none-but': '本步开始后还没有{status}的 Checkpoint（{others} 个{other}）',
  'checkpoint-status.COMPLETED': '已完成',
  'checkpoint-status.FAILED': '失败',
  'check.no-job-file': '正在运行的是本课自带的作业，不是你写的：打开编辑器并运行你的作业',
  'check.d.job-file': '正在运行的是你写的作业',
  'check.not-finished': '作业还没有结束',
  'check.still-running': '作业仍是 {status}：还没有结束',
  'check.job-status': '作业状态是 {status}，应为 {want}',
  'check.sink.so-far-so-good': '精确一次检查器目前没有发现重复；数据丢失要等作业结束后才能判断',
  'check.sink.exactly-once': 'Sink 中的行与无故障运行的结果完全一致',
  'check.sink.duplicates': 'Sink 中有重复：有些行写入的次数比无故障运行时多',
  'check.sink.losses': 'Sink 丢失了数据：无故障运行中的一些行不见了',
  'check.sink.duplicates-and-losses': 'Sink 中既有重复，也丢失了数据',
  'check.sink-want.so-far-so-good': '目前没有问题',
  'check.sink-want.exactly-once': '精确一次',
  'check.sink-want.duplicates': '有重复',
  'check.sink-want.losses': '有丢失',
  'check.sink-want.duplicates-and-losses': '既有重复又有丢失',
  'check.verdict': '{says}（应为：{want}）',
  'check.no-job': '尚未加载作业',
  'check.on': '开启',
  'check.off': '关闭',
  'check.ms': '{ms} ms',
  'check.setting.mode': 'Checkpoint 模式',
  'check.setting.backend': 'State Backend',
  'check.setting.intervalMs': 'Checkpoint 间隔',
  'check.setting.incremental': '增量 Checkpoint',
  'check.setting.maxConcurrent': '最大并发 Checkpoint 数',
  'check.setting.tolerableFailed': '可容忍的连续失败 Checkpoint 数',
  'check.setting.timeoutMs': 'Checkpoint 超时',
  'check.setting.chaining': '算子链',
  'check.config': (p) => `${p.name}是${spaced(p.value)}，应为${spaced(p.want)}`,
  'check.parallelism': '{operator} 的并行度是 {value}，应为 {want}',
  'check.list': '{first}；{rest}',
  'check.or': '{first}；或者 {rest}',
  'check.d.not': '不是：{what}',
  'check.d.event-n': '{what}（{n} 次）',
  'check.d.state': '{operator} 的状态 {state} 中 {key} 是 {want}',
  'check.d.state-empty': '{operator} 的状态 {state} 中没有 {key}',
  'check.d.state-size': '{operator} 的状态 {state} 的键数',
  'check.d.state-entries': '{operator} 的状态 {state} 的条目数',
  'check.d.checkpoint-id': '{kind} {id} {status}{how}',
  'check.d.checkpoint': '有 {kind} {status}{how}',
  'check.d.cp-inflight': '，并持久化了 In-flight 数据',
  'check.d.cp-acks': '，有 {acks} 个确认',
  'check.d.cp-fast': '，端到端不超过 {max} ms',
  'check.d.failover': '有子任务失败，作业回退到了一个 Checkpoint',
  'check.d.finished': '作业已经结束',
  'check.d.sink': '精确一次检查器的结论：{says}',
  'check.d.setting': (p) => `${p.name}是${spaced(p.value)}`,
  'check.d.parallelism': '{operator} 的并行度是 {value}',
  'check.d.answered': '预测题已经回答',
  'check.d.time': '虚拟时间到达 {need} ms',
  'check.d.imported': '本步中恢复了一个快照',
  'check.d.import-refused': '有一次导入被拒绝',
  'check.d.recovered-from': '作业从 Checkpoint 恢复',
  'check.d.recovered-scratch': '作业从头开始',
  'check.d.tm-recovered': '一个 TaskManager 丢失，它的子任务恢复了最新的 Checkpoint',
  'check.d.sink-rows': 'Sink“{sink}”中读者看到的行符合本步的要求',
  'check.d.output': 'Sink“{sink}”的读者看到了本步要求的行',
  'event-what.checkpoint-triggered': 'Checkpoint 触发',
  'event-what.checkpoint-completed': 'Checkpoint 完成',
  'event-what.checkpoint-failed': 'Checkpoint 失败',
  'event-what.snapshot-taken': '状态快照',
  'event-what.barrier-injected': 'Barrier 注入',
  'event-what.barrier-received': '收到 Barrier',
  'event-what.channel-blocked': '输入通道因对齐而阻塞',
  'event-what.channel-unblocked': '输入通道解除阻塞',
  'event-what.alignment-completed': 'Barrier 对齐完成',
  'event-what.alignment-aborted': 'Barrier 对齐中止',
  'event-what.channel-state-recorded': 'In-flight 数据写入 Checkpoint',
  'event-what.sources-paused': 'Source 暂停',
  'event-what.sources-resumed': 'Source 恢复运行',
  'event-what.task-failed': '子任务失败',
  'event-what.task-restored': '子任务恢复',
  'event-what.job-status': '作业状态变化',
  'event-what.job-restarting': '作业重启',
  'event-what.engine-crashed': '引擎崩溃',
  'event-what.engine-recovered': '引擎恢复',
  'event-what.backpressure': '反压',
  'event-what.timer-fired': '定时器触发',
  'event-what.watermark-advanced': 'Watermark 推进',
  'event-what.transaction-committed': '事务提交',
  'event-what.transaction-aborted': '事务中止',
  'event-what.sink-written': '写入 Sink 的记录',
  'event-what.state-changed': '状态更新',
  'check.not-answered': '还没有回答预测题',
  'check.time': '虚拟时间是 {now} ms，至少需要 {need} ms',
  'check.not-imported': '本步中还没有恢复任何快照',
  'check.not-started': '作业还没有（重新）启动',
  'check.recovered-from': '作业从 Checkpoint {id} 恢复（{reason}）',
  'check.tm-not-lost': '本步骤中还没有哪个运行着子任务的 TaskManager 丢失',
  'check.tm-not-all-failed': '{tm} 丢失时，它的槽位中 {tasks} 个子任务只有 {failed} 个失败',
  'check.tm-not-scheduled': '{tm} 丢失后，还没有子任务处于 SCHEDULED 状态等待槽位',
  'check.tm-not-back': '{tm} 还没有重新注册',
  'check.tm-not-restored': '{tm} 已经回来；尚未恢复：{tasks}',
  'check.tm-restored-other':
    '{task} 恢复的是 Checkpoint {id}，而不是 Checkpoint {latest}（{tm} 丢失时最新的那个）',
  'check.tm-recovered': '{tm} 回来了，它的子任务从 Checkpoint {id} 恢复',
  'check.rows-no-sink': '作业中没有 Sink“{sink}”',
  'check.rows-at-least': '{sink} 中可见的行有 {n} 行（需要 ≥ {need}）',
  'check.rows-every': '{sink} 中可见的 {n} 行里有 {bad} 行不满足 {want}，例如 {row}',
  'check.rows-none': '{sink} 中还没有可见的行',
  'check.rows-all-have': '{sink} 中可见的 {n} 行都满足 {want}',
  'check.rows-not-repeated': '{sink} 中没有哪一行出现两次',
  'check.rows-repeated': '{row} 在 {sink} 中出现了 {n} 次',
  'check.recovered-scratch': '作业从头开始（{reason}）',
  'check.recovered-older': '作业从 Checkpoint {id} 恢复，应为 Checkpoint {want} 或更晚的',
  'check.no-failover': '本步开始后还没有子任务失败并恢复',
  'check.rewind':
    '作业回退了 {rewind} ms：从 {failedAt} ms 时的失败回到 {from} ms 时触发的 Checkpoint {id}；最多应为 {max} ms',
  'check.rewind-scratch':
    '作业回退了 {rewind} ms：还没有完成的 Checkpoint，所以从 {failedAt} ms 时的失败一直回到运行开始；最多应为 {max} ms',

  // ---- TaskManager 与槽位
  'taskmanager.unreachable': 'ID 为 {id} 的 TaskManager 已无法连接。',
  'scheduler.no-resource': (p) =>
    `NoResourceAvailableException：无法获得所需的最少资源。作业需要 ${p.slotsNeeded} 个槽位；` +
    `${p.waiting} 个任务在等待，还缺 ${p.needed} 个，空闲 ${p.available} 个` +
    `（集群共 ${p.total} 个：${taskManagerList(p.taskManagers, (n) => `${n} 个槽位`, '已丢失', '，')}）；` +
    `已等待 slot.request.timeout = ${p.timeoutMs} ms。`,

  // ---- 带类型的状态
  'value.null': 'null',
  'value.nothing': '缺失',
  'value.array': '一个数组',
  'value.array-of': '含 {n} 个元素的数组',
  'value.string': '字符串 {value}',
  'value.number': '数字 {value}',
  'value.boolean': '布尔值 {value}',
  'value.bigint': 'bigint {value}',
  'value.object': '一个对象',
  'value.other': '一个 {kind}',
  'type.expected': '应为 {type}，实际是{got}',
  'type.not-integer': '应为 {type}，实际是{got}（不是整数）',
  'type.beyond-long': '应为 {type}，实际是{got}（超出 ±{max}：JSON 数字只能精确表示不超过 2^53−1 的整数）',
  'type.beyond-range': '应为 {type}，实际是{got}（超出 {type} 的取值范围 {min}..{max}）',
  'type.expected-object': '应为 {type}（一个对象），实际是{got}',
  'type.expected-array-of': '应为 {type}（含 {n} 个元素的数组），实际是{got}',
  'type.field-missing': '应为 {type}：缺少字段“{field}”',
  'type.pojo-no-field': 'POJO {cls} 没有字段“{field}”（它的字段：{fields}）',
  'type.no-field': '{type} 没有字段“{field}”',
  'type.json-unknown': '未知的类型 {json}',
  'type.json-not-type': '类型应写成一个名字或一个对象，实际是{got}',
  'type.json-shape': '{type} 的写法是 {shape}',
  'type.state-cannot-hold': '{stateType} 状态不能保存 {type} 类型的值',
  'type.incompatible-serializer': (p) => {
    const kind = p.element === 'true' ? '元素序列化器' : '状态序列化器';
    const prefix = p.heap === 'true' ? '对 heap 后端而言，新的' : '新的';
    return `${prefix}${kind}（${p.newSerializer}，类型 ${p.newType}）与旧的${kind}（${p.oldSerializer}，类型 ${p.oldType}）不兼容。`;
  },
  'state.incompatible': '状态“{name}”：{detail}',
  'state.operator-incompatible': 'Operator State“{name}”：{detail}',
  'snapshot.type-incompatible':
    '{what}与作业不兼容：{detail}作业声明的类型是 {jobType}，快照中保存的是 {recorded}（Flink：StateMigrationException；只有 POJO 可以增减字段）。',
  'snapshot.what-keyed-state': '算子“{uid}”的状态“{name}”',
  'snapshot.what-operator-state': '算子“{uid}”的 Operator State“{name}”',
  'snapshot.value-type-shape': '{stateType} 状态的 valueType 应为 {shape}，而不是 {recorded}',
  'restore.wrong-types': '无法回滚到 {what}：它的状态与作业声明的类型不符：\n  {problems}',
  'restore.type-problem': '{path}：{message}',
  'restore.type-problems': '{first}\n  {rest}',
  'check.no-import-refused': '本步中还没有被拒绝的导入',
  'check.import-refused-other': '没有哪次被拒绝的导入提到 {want}（最近一次的拒绝信息：{said}）',
} satisfies Record<MessageCode, Template>;

const CATALOGUES: Record<string, Catalogue> = { en: ENGLISH_MESSAGES, 'zh-CN': ZH_MESSAGES };

/** An engine message in the current language (reactive: re-renders when the language changes). */
export function tm(m: Message | null | undefined): string {
  if (!m) return '';
  return renderMessage(m, CATALOGUES[locale.lang])
    .replace(/\s{2,}/g, ' ')
    .trim();
}
