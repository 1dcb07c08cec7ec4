/**
 * The experiments' own texts (titles, descriptions, claims, parameter, panel, series and column
 * labels) come from the engine in English. This is their 简体中文: looked up by experiment and item
 * id, falling back to the engine's English for anything missing (a new experiment shows in English
 * until it is translated here). The measured check descriptions and notes are computed by the
 * engine with their figures and stay in English.
 */
import type { ExperimentInfo } from '../../../worker/protocol';
import type { ExperimentResult, Panel } from '../../../engine/experiments/types';
import { format, locale } from '../../i18n/i18n.svelte';

interface ExperimentText {
  title: string;
  description: string;
  claim: string;
  params: Record<string, { label: string; description: string }>;
  panels: Record<string, { title: string; x: string; y: string }>;
  series: Record<string, string>;
  columns: Record<string, string>;
}

const SEED = { label: '随机种子', description: '延迟、触发时间和键的随机种子。' };
const CHECKPOINT_INTERVALS = { label: 'Checkpoint 间隔', description: '要扫描的间隔（虚拟毫秒）。' };
const COUNTER_MS = {
  label: '计数算子处理时间',
  description: '按键计数的算子处理每条记录所用的虚拟时间：决定作业的处理能力。',
};

const ZH: Record<string, ExperimentText> = {
  'snapshot-overhead': {
    title: '快照开销与 Checkpoint 间隔',
    description:
      '同一个按键分区的作业（4 个 Source 分区 → keyBy → 按键计数 → Sink，并行度 4）分别在无 Checkpoint、全局暂停（stop-the-world）快照、Chandy-Lamport 标记、对齐 Barrier（ABS，精确一次）和非对齐 Barrier 下运行，每个 Checkpoint 间隔各运行一次。吞吐量：Source 始终有输入，因此每秒到达 Sink 的记录数就是作业的处理能力；开销是相对无 Checkpoint 时的损失。延迟：生产者以测得的无 Checkpoint 处理能力的固定比例追加记录；延迟从记录进入日志算起，到写入 Sink 为止，因此 Source 暂停时记录的等待时间也计算在内。所有数值均为虚拟时间。',
    claim:
      '同步（全局暂停）快照会让整个数据流停顿，因此快照越频繁，开销越大；异步 Barrier 快照（ABS）不停止处理，即使间隔很短，也接近无快照的基线。',
    params: {
      intervals: CHECKPOINT_INTERVALS,
      windowMs: { label: '测量窗口', description: '每次运行在预热之后测量的虚拟时间。' },
      warmupMs: { label: '预热', description: '开始测量前的虚拟时间（缓冲区填满、最初的 Checkpoint）。' },
      keys: { label: '键数', description: '不同键的数量（状态大小：每个键一个计数器）。' },
      operatorMs: COUNTER_MS,
      loadFraction: {
        label: '延迟测试的负载',
        description: '延迟测试的到达速率，占无 Checkpoint 吞吐量的比例。',
      },
      seed: SEED,
    },
    panels: {
      throughput: { title: '吞吐量（Source 从不断流）', x: 'Checkpoint 间隔', y: '到达 Sink 的记录' },
      overhead: { title: 'Checkpoint 造成的吞吐量损失', x: 'Checkpoint 间隔', y: '相对无 Checkpoint 的开销' },
      'latency-p99': {
        title: '端到端延迟，第 99 百分位（负载为处理能力的 {load}%）',
        x: 'Checkpoint 间隔',
        y: '进入日志 → 写入 Sink，p99',
      },
      'latency-mean': {
        title: '端到端延迟，平均值',
        x: 'Checkpoint 间隔',
        y: '进入日志 → 写入 Sink，平均值',
      },
    },
    series: {
      none: '无 Checkpoint',
      'stop-the-world': '全局暂停（同步）',
      'chandy-lamport': 'Chandy-Lamport 标记',
      'exactly-once': '对齐 ABS（精确一次）',
      unaligned: '非对齐 Barrier',
    },
    columns: {
      mode: '模式',
      intervalMs: '间隔',
      throughput: '吞吐量',
      overheadPct: '吞吐量开销',
      checkpoints: '完成的 Checkpoint（吞吐量测试）',
      checkpointMs: '平均 Checkpoint 耗时',
      inFlightBytes: '平均持久化的 In-flight 数据',
      latencyP50: '延迟 p50',
      latencyP99: '延迟 p99',
      latencyMean: '延迟平均值',
      latencyMax: '延迟最大值',
      sourceToSinkP99: 'Source 发出 → Sink，p99',
      latencySamples: '测量的记录数',
    },
  },
  backpressure: {
    title: '反压下的 Checkpoint：对齐与非对齐',
    description:
      '始终有输入的 Source 读取速度远快于一个 keyBy 之后的算子的处理速度，因此流向它的每个通道都是满的（反压）。对这个慢算子的每个单条记录处理时间，作业一直运行到完成指定数量的 Checkpoint：对齐 Barrier（精确一次）、非对齐 Barrier，以及带对齐超时的对齐 Barrier。每个 Checkpoint 测量：端到端耗时（从触发到最后一个确认）、最长的对齐时间，以及作为通道状态持久化的 In-flight 数据。所有数值均为虚拟时间；字节数是模拟器中被持久化记录的 JSON 大小。',
    claim:
      '在反压下，对齐的 Checkpoint Barrier 排在缓冲的 In-flight 数据之后，因此 Checkpoint 耗时随反压增长；非对齐 Barrier 越过缓冲区，使 Checkpoint 耗时基本不受吞吐量影响，代价是要把 In-flight 数据持久化到 Checkpoint 中。对齐超时只在对齐耗时过长时才切换为非对齐。',
    params: {
      slowMs: {
        label: '慢算子处理时间',
        description: '要扫描的那个按键计数算子的单条记录处理时间（虚拟毫秒）。',
      },
      alignedTimeoutMs: {
        label: '对齐超时',
        description: '用于“带超时的对齐”变体：触发后经过这么长时间切换为非对齐。',
      },
      intervalMs: {
        label: 'Checkpoint 间隔',
        description: 'Checkpoint 间隔（比它更长的 Checkpoint 会推迟下一个）。',
      },
      checkpoints: {
        label: '每个点的 Checkpoint 数',
        description: '每个点平均的已完成 Checkpoint 数（预热之后）。',
      },
      warmupMs: { label: '预热', description: '开始测量前的虚拟时间（缓冲区被填满）。' },
      maxRunMs: { label: '运行上限', description: '一次运行最多可用的虚拟时间。' },
      keys: { label: '键数', description: '不同键的数量。' },
      seed: SEED,
    },
    panels: {
      duration: {
        title: 'Checkpoint 耗时（触发 → 最后一个确认）',
        x: '慢算子：单条记录处理时间',
        y: '平均端到端耗时',
      },
      'in-flight': {
        title: '每个 Checkpoint 持久化的 In-flight 数据',
        x: '慢算子：单条记录处理时间',
        y: '通道状态',
      },
      alignment: { title: '对齐时间（最长的子任务）', x: '慢算子：单条记录处理时间', y: '对齐' },
    },
    series: {
      aligned: '对齐（精确一次）',
      unaligned: '非对齐',
      'aligned-timeout': '带超时的对齐',
    },
    columns: {
      variant: '变体',
      slowMs: '慢算子单条记录耗时',
      checkpoints: '测量的 Checkpoint 数',
      durationMs: '平均 Checkpoint 耗时',
      maxDurationMs: '最长的 Checkpoint',
      alignmentMs: '平均最长对齐',
      inFlightBytes: '平均持久化的 In-flight 数据',
      unalignedShare: '以非对齐方式完成的子任务快照',
      throughput: '吞吐量',
    },
  },
  'state-size': {
    title: 'Checkpoint 大小：随状态增长的全量与增量',
    description:
      '一个按键分区的作业（4 个分区 → keyBy → 按键计数 → Sink，并行度 4）先把每个键写入一次，然后生产者在每个 Checkpoint 间隔内更新随机一部分键。测量的是前一个 Checkpoint 在加载之后完成的那些 Checkpoint：上传的字节数（“Checkpoint 数据大小”）、完整状态大小和端到端耗时，分别针对堆（HashMap）后端的全量 Checkpoint、类 RocksDB 后端的全量 Checkpoint，以及它的增量 Checkpoint（只上传上一个已完成 Checkpoint 中没有的 SST 文件）。上传时间取决于模拟的存储带宽。',
    claim:
      '全量 Checkpoint 每次都写出整个状态，因此其大小和耗时随状态增长；增量 Checkpoint 只记录自上一个已完成 Checkpoint 以来的变化，因此上传量与变化量成正比，可以快得多。',
    params: {
      keys: { label: '状态大小', description: '要扫描的状态中的键数（每个键一个计数器）。' },
      changeFraction: {
        label: '每个间隔变化的键',
        description: '加载之后每个 Checkpoint 间隔内被更新的键的比例。',
      },
      payloadBytes: {
        label: '每个键的负载',
        description: '每个键的计数器附带存储的字节数（每个键的状态）。',
      },
      intervalMs: { label: 'Checkpoint 间隔', description: 'Checkpoint 间隔（虚拟毫秒）。' },
      checkpoints: {
        label: '每个点的 Checkpoint 数',
        description: '每个点测量的 Checkpoint 数（取其上传量的中位数和平均值）。',
      },
      seed: SEED,
    },
    panels: {
      uploaded: {
        title: '每个 Checkpoint 上传的字节数，中位数（每个间隔 {change}% 的键变化）',
        x: '状态中的键',
        y: 'Checkpoint 数据大小',
      },
      duration: { title: 'Checkpoint 耗时', x: '状态中的键', y: '平均端到端耗时' },
    },
    series: {
      heap: '全量（堆 / HashMap）',
      'rocksdb-full': '全量（RocksDB）',
      'rocksdb-incremental': '增量（RocksDB）',
    },
    columns: {
      backend: 'Checkpoint',
      keys: '键数',
      changedPerInterval: '每个间隔变化的键（约）',
      checkpoints: '测量的 Checkpoint 数',
      uploadedBytes: '上传量中位数（Checkpoint 数据大小）',
      meanUploadedBytes: '平均上传量',
      maxUploadedBytes: '最大上传量',
      fullBytes: '全量 Checkpoint 数据大小',
      uploadedShare: '上传量 / 全量',
      durationMs: '平均耗时',
      syncMs: '平均同步部分（最慢的子任务）',
      asyncMs: '平均异步部分（最慢的子任务）',
    },
  },
  recovery: {
    title: '恢复代价与 Checkpoint 间隔',
    description:
      '生产者以测得的作业处理能力的固定比例追加记录（4 个分区 → keyBy → 按键计数 → Sink，精确一次 Checkpoint）。一个计数子任务在一个 Checkpoint 间隔内均匀分布的若干时刻失败；作业在固定延迟后从最近一个已完成的 Checkpoint 重启。每次失败测量：Source 第二次读取的记录数（失败时的偏移量 − 恢复的偏移量），以及从失败起到 Source 读到无故障运行中同一时刻的位置所需的时间（相同的种子和生产者；每 5 毫秒采样一次）。',
    claim:
      '失败后 Flink 恢复最近一个已完成的 Checkpoint，并重新处理此后的所有数据；Checkpoint 越频繁，需要重新处理的数据越少（在有富余处理能力时追赶也越快），代价是更多的 Checkpoint 开销——间隔越长，重放的记录越多，恢复越久。',
    params: {
      intervals: CHECKPOINT_INTERVALS,
      phases: {
        label: '每个间隔的失败点',
        description: '在一个 Checkpoint 间隔内均匀分布的失败注入点（每个点一次运行）。',
      },
      loadFraction: { label: '负载', description: '到达速率占测得处理能力的比例（剩余部分用于追赶）。' },
      restartDelayMs: { label: '重启延迟', description: '固定延迟重启策略：作业重启前等待的时间。' },
      warmupMs: { label: '预热', description: '第一个失败点之前的虚拟时间（再加两个间隔）。' },
      maxCatchUpMs: { label: '追赶上限', description: '失败的运行追赶上所允许的最长虚拟时间。' },
      keys: { label: '键数', description: '不同键的数量。' },
      operatorMs: COUNTER_MS,
      seed: SEED,
    },
    panels: {
      replayed: { title: '失败后 Source 重新读取的记录', x: 'Checkpoint 间隔', y: '重放的记录' },
      'catch-up': {
        title: '从失败到 Source 回到无故障运行位置所用的时间',
        x: 'Checkpoint 间隔',
        y: '追赶时间',
      },
    },
    series: {
      replayed: '重放的记录（各失败点的平均值）',
      'replayed-max': '重放的记录（最差的失败点）',
      'catch-up': '追赶时间（平均值）',
      'catch-up-max': '追赶时间（最差）',
    },
    columns: {
      intervalMs: '间隔',
      failAtMs: '失败时刻',
      replayed: '重放的记录',
      catchUpMs: '追赶时间',
      checkpointAgeMs: '恢复的 Checkpoint 在失败前多久触发',
      arrivalRate: '到达速率',
    },
  },
};

function zh(experimentId: string): ExperimentText | null {
  return locale.lang === 'zh-CN' ? (ZH[experimentId] ?? null) : null;
}

export function experimentTitle(info: Pick<ExperimentInfo, 'id' | 'title'>): string {
  return zh(info.id)?.title ?? info.title;
}

export function experimentDescription(info: ExperimentInfo): string {
  return zh(info.id)?.description ?? info.description;
}

export function experimentClaim(info: Pick<ExperimentInfo, 'id' | 'claim'>): string {
  return zh(info.id)?.claim ?? info.claim;
}

export function paramText(
  experimentId: string,
  spec: { id: string; label: string; description: string },
): { label: string; description: string } {
  return zh(experimentId)?.params[spec.id] ?? { label: spec.label, description: spec.description };
}

/** A panel's title and axis labels; translated titles take the figures they name from the result's parameters. */
export function panelText(result: ExperimentResult, panel: Panel): { title: string; x: string; y: string } {
  const text = zh(result.experimentId)?.panels[panel.id];
  if (!text) return { title: panel.title, x: panel.x.label, y: panel.y.label };
  const p = result.parameters;
  const pct = (v: unknown) => (typeof v === 'number' ? Number((100 * v).toPrecision(3)) : '?');
  return {
    ...text,
    title: format(text.title, {
      load: Math.round(100 * Number(p.loadFraction)),
      change: pct(p.changeFraction),
    }),
  };
}

export function seriesLabel(experimentId: string, series: { id: string; label: string }): string {
  return zh(experimentId)?.series[series.id] ?? series.label;
}

export function columnLabel(experimentId: string, column: { id: string; label: string }): string {
  return zh(experimentId)?.columns[column.id] ?? column.label;
}

/** A table cell that names a series (a mode, a variant, a backend): its label in the current language. */
export function cellText(result: ExperimentResult, value: string): string {
  const names = zh(result.experimentId)?.series;
  return names?.[value] ?? value;
}
