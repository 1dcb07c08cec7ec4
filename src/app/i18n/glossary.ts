/**
 * The glossary as data (docs/glossary.md explains each choice): the terms the 简体中文 text keeps in
 * English, as Flink's own Chinese documentation does, and the variants it must not use. The glossary
 * test (test/app/glossary.test.ts) checks every lesson's zh-CN.md and every zh message against it; the
 * zh e2e scan (test/e2e/zh.e2e.test.ts) accepts exactly these English words on a Chinese page.
 */

/** Flink terms written in English in Chinese text (Flink's docs/content.zh does the same). */
export const KEPT_IN_ENGLISH = [
  'Checkpoint',
  'Checkpointing',
  'Savepoint',
  'State Backend',
  'Changelog State Backend',
  'Barrier',
  'Source',
  'Sink',
  'Watermark',
  'Keyed State',
  'Operator State',
  'In-flight',
  'JobManager',
  'TaskManager',
  'Worker',
  'Web UI',
  'TTL',
  'DataStream',
  'API',
  'Table API',
  'Flink',
  'Kafka',
  'RocksDB',
  'IndexedDB',
  'ForSt',
  'JSON',
  'Chandy-Lamport',
  'WordCount',
  'MiniCluster',
  'CheckpointCoordinator',
  'JVM',
  'SQL',
  'ID',
  'Pipelined Region',
  // Flink's docs/content.zh keeps these in English: "Broadcast State 模式", "Interval Join"
  'Broadcast State',
  'Interval Join',
  'Java',
  'Asynchronous Barrier Snapshotting',
  // loanwords Chinese writes in Latin letters
  'App',
] as const;

/** People, organisations and products named in the lessons: names are not translated. */
export const PROPER_NAMES = [
  'Apache',
  'Chandy',
  'Lamport',
  'Carbone',
  'Hueske',
  'Kalavri',
  "O'Reilly",
  'Slack',
  'Stack Overflow',
  'PostgreSQL',
  'Scala',
  'Kryo',
  // process supervisors named in lesson 8
  'Kubernetes',
  'YARN',
  'systemd',
  'POJO',
  // Flink's Operations Playground (lesson 13), as Flink's docs name it; its containers run in Docker
  'Operations Playground',
  'Docker',
] as const;

/**
 * Variants that must not appear in Chinese text, with the glossary's term (`pattern` when the variant
 * is a single character that other words contain).
 */
export const BANNED_ZH: ReadonlyArray<{ variant: string; use: string; pattern?: RegExp }> = [
  // 汇 alone is Sink (汇总、汇报 are fine); 源 alone is Source (来源、资源、开源 are fine)
  { variant: '汇', use: 'Sink', pattern: /汇(?![总报集聚编入率])/ },
  { variant: '源', use: 'Source', pattern: /(?<![来资根起电开溯])源(?![码头于自])/ },
  { variant: '检查点', use: 'Checkpoint' },
  { variant: '广播状态', use: 'Broadcast State' },
  { variant: '区间连接', use: 'Interval Join' },
  // Flink's zh docs: "Task 和算子链" (operator chains)
  { variant: '操作符链', use: '算子链' },
  { variant: '运算符链', use: '算子链' },
  { variant: '保存点', use: 'Savepoint' },
  { variant: '状态后端', use: 'State Backend' },
  { variant: '屏障', use: 'Barrier' },
  { variant: '水位线', use: 'Watermark' },
  { variant: '水印', use: 'Watermark' },
  { variant: '汇点', use: 'Sink' },
  { variant: '数据汇', use: 'Sink' },
  { variant: '汇算子', use: 'Sink' },
  { variant: '数据源', use: 'Source' },
  { variant: '源算子', use: 'Source' },
  { variant: '暂扣', use: '阻塞（对齐时）' },
  { variant: '扣住', use: '阻塞（对齐时）' },
  { variant: '背压', use: '反压' },
  { variant: '传输中', use: 'In-flight 数据 / 通道中的记录' },
  { variant: '在途', use: 'In-flight 数据 / 通道中的记录' },
  { variant: '键控状态', use: 'Keyed State' },
  { variant: '算子状态', use: 'Operator State' },
  { variant: '键控', use: 'keyed（如 keyed 算子）/ Keyed State' },
  // calques the review found (issue 11 item 8)
  { variant: '交给你', use: '（改写：由你来做 / 轮到你）' },
  { variant: '活得久', use: '（改写：保留得更久 / 不随 Worker 丢失）' },
  { variant: '落在它自己身上', use: '（改写：只影响它自己）' },
  { variant: '挤过', use: '（改写：排在……之后）' },
  { variant: '确定我的答案', use: '提交答案' },
  { variant: '种子文章', use: '原文的标题《Flink 状态管理与检查点机制》' },
];

/**
 * Identifiers the page shows on purpose in every language: Flink's option values and names (the mode
 * `exactly-once`, the backend `hashmap`, the strategy `fixed-delay`, partitioners), the simulator's
 * sink kinds, and units. Shown as they are typed in Flink's configuration, so they stay English.
 */
export const IDENTIFIERS_SHOWN = [
  // checkpointing modes (CheckpointingMode and the simulator's two historical ones)
  'exactly-once',
  'at-least-once',
  'unaligned',
  'stop-the-world',
  'chandy-lamport',
  // state backends (state.backend.type and the legacy names)
  'memory',
  'fs',
  'hashmap',
  'rocksdb',
  // restart strategies (restart-strategy.type)
  'none',
  'fixed-delay',
  'failure-rate',
  'exponential-delay',
  // partitioners, as the job graph labels its edges
  'forward',
  'keyBy',
  'hash',
  'rebalance',
  'broadcast',
  // sink kinds and the exactly-once checker's verdicts (identifiers in the lesson checks)
  'upsert',
  // units
  'ms',
  's',
  'B',
  'KB',
  'MB',
  'KiB',
  'MiB',
  'GiB',
  'p',
  'x',
  // keys named on the help dialog
  'Shift',
  'Esc',
] as const;
