/** Every string of the output panel, in English and 简体中文. */
import { defineMessages } from '../../i18n/i18n.svelte';

export const t = defineMessages(
  {
    panel: 'Output',
    noJob: 'No job is loaded.',
    loading: 'Reading the sinks…',
    error: 'Could not read the sink output: {message}',
    noSinks: 'This job has no sink.',
    // kinds
    'kind-non-transactional': 'non-transactional',
    'kind-idempotent-upsert': 'idempotent upsert',
    'kind-two-phase-commit': 'two-phase commit',
    'explain-non-transactional':
      'Every record is written at once and a reader sees it at once; records replayed after a failure are written again.',
    'explain-idempotent-upsert':
      'Rows are written by key, overwriting: a replayed record writes the same value again, so the reader’s view converges.',
    'explain-two-phase-commit':
      'Rows go into a transaction that is committed when the next checkpoint completes; a reader sees committed rows only.',
    // counts
    written: 'written',
    visible: 'visible to a reader',
    open: 'open transactions',
    aborted: 'aborted transactions',
    // rows
    rowsCaption: 'Latest rows of {name}, newest first',
    rowsShown: 'latest {shown} rows',
    colTime: 'Time',
    colValue: 'Value',
    colTxn: 'Txn',
    colVisible: 'Visible?',
    yes: 'yes',
    no: 'no',
    duplicate: 'duplicate',
    duplicateTitle: 'Seen more often than in the failure-free run',
    noRows: 'Nothing written yet.',
    hiddenExplain:
      'Grey rows were written but a reader cannot see them: their transaction is still open (it commits when the next checkpoint completes) or was aborted after a failure (those rows never become visible).',
    duplicateExplain: 'Rows marked “duplicate” are seen more often than in the failure-free run.',
    // verdict
    checker: 'Exactly-once checker',
    'verdict-so-far-so-good':
      'So far so good: no row is seen more often than in the failure-free run (missing rows can only be judged once the run has finished).',
    'verdict-exactly-once': 'Exactly-once: the output equals the failure-free run.',
    'verdict-duplicates': 'Duplicates: {dups} rows seen more often than in the failure-free run.',
    'verdict-losses': 'Losses: {missing} rows seen less often than in the failure-free run.',
    'verdict-duplicates-and-losses':
      'Duplicates and losses: {dups} rows seen more often and {missing} rows less often than in the failure-free run.',
    reference:
      'Reference: the same job, with the same seed and configuration, run without failures. Compared is what a reader of the external system sees: {visible} rows now, {expected} rows in the reference at its end.',
    duplicatesList: 'Seen more often than expected',
    missingList: 'Seen less often than expected',
    colSeen: 'seen',
    colExpected: 'expected',
    finished: 'The run has finished.',
    more: '… and {n} more',
  },
  {
    panel: '输出',
    noJob: '尚未加载作业。',
    loading: '正在读取 Sink…',
    error: '无法读取 Sink 输出：{message}',
    noSinks: '这个作业没有 Sink。',
    'kind-non-transactional': '非事务',
    'kind-idempotent-upsert': '幂等 upsert',
    'kind-two-phase-commit': '两阶段提交',
    'explain-non-transactional': '每条记录立即写出，读者立即可见；故障后重放的记录会被再写一次。',
    'explain-idempotent-upsert': '按键写入并覆盖：重放的记录再次写入相同的值，因此读者看到的结果最终一致。',
    'explain-two-phase-commit': '行先写入一个事务，下一个 Checkpoint 完成时才提交；读者只能看到已提交的行。',
    written: '已写入',
    visible: '读者可见',
    open: '未完成事务',
    aborted: '已中止事务',
    rowsCaption: '{name} 的最新行，最新的在前',
    rowsShown: '最新 {shown} 行',
    colTime: '时间',
    colValue: '值',
    colTxn: '事务',
    colVisible: '可见？',
    yes: '是',
    no: '否',
    duplicate: '重复',
    duplicateTitle: '出现次数多于无故障运行',
    noRows: '尚未写出任何内容。',
    hiddenExplain:
      '灰色的行已经写出，但读者看不到：它们的事务仍未完成（下一个 Checkpoint 完成时提交），或在故障后被中止（这些行永远不会可见）。',
    duplicateExplain: '标记为“重复”的行，出现次数多于无故障运行。',
    checker: '精确一次检查器',
    'verdict-so-far-so-good':
      '目前一切正常：没有哪一行比无故障运行出现得更多（是否有缺失要等运行结束后才能判断）。',
    'verdict-exactly-once': '精确一次：输出与无故障运行完全相同。',
    'verdict-duplicates': '有重复：{dups} 行出现次数多于无故障运行。',
    'verdict-losses': '有丢失：{missing} 行出现次数少于无故障运行。',
    'verdict-duplicates-and-losses':
      '有重复也有丢失：{dups} 行出现得更多，{missing} 行出现得更少（与无故障运行相比）。',
    reference:
      '参照：同一个作业，使用相同的种子和配置，在没有任何故障的情况下运行。比较的是外部系统的读者所看到的内容：当前 {visible} 行，参照运行结束时共 {expected} 行。',
    duplicatesList: '出现次数多于预期',
    missingList: '出现次数少于预期',
    colSeen: '实际',
    colExpected: '预期',
    finished: '运行已结束。',
    more: '……还有 {n} 项',
  },
);
