/**
 * Builds the operator a job vertex runs (Flink's StreamOperatorFactory): the one-input operators of
 * `operators.ts`, and those in their own files — ProcessOperator, TimestampsAndWatermarksOperator, the two-input operators of
 * `co/` (CoStreamMap, CoStreamFlatMap, CoProcessOperator, KeyedCoProcessOperator,
 * CoBroadcastWithNonKeyedOperator, CoBroadcastWithKeyedOperator, IntervalJoinOperator).
 */
import { createOperator, type OperatorContext, type StreamOperator } from './operators';
import { ProcessOperator } from './ProcessOperator';
import { TimestampsAndWatermarksOperator } from './TimestampsAndWatermarksOperator';
import { CoStreamMap } from './co/CoStreamMap';
import { CoStreamFlatMap } from './co/CoStreamFlatMap';
import { CoProcessOperator } from './co/CoProcessOperator';
import { KeyedCoProcessOperator } from './co/KeyedCoProcessOperator';
import { CoBroadcastWithNonKeyedOperator } from './co/CoBroadcastWithNonKeyedOperator';
import { CoBroadcastWithKeyedOperator } from './co/CoBroadcastWithKeyedOperator';
import { IntervalJoinOperator } from './co/IntervalJoinOperator';

export function createStreamOperator(ctx: OperatorContext): StreamOperator {
  const spec = ctx.vertex.spec;
  switch (spec.kind) {
    case 'timestampsAndWatermarks':
      return new TimestampsAndWatermarksOperator(ctx, spec.strategy);
    case 'nonKeyedProcess':
      return new ProcessOperator(ctx, spec.fn);
    case 'coMap':
      return new CoStreamMap(ctx, spec.fn);
    case 'coFlatMap':
      return new CoStreamFlatMap(ctx, spec.fn);
    case 'coProcess':
      return new CoProcessOperator(ctx, spec.fn);
    case 'keyedCoProcess':
      return new KeyedCoProcessOperator(ctx, spec.fn);
    case 'broadcastProcess':
      return new CoBroadcastWithNonKeyedOperator(ctx, spec.fn, spec.descriptors);
    case 'keyedBroadcastProcess':
      return new CoBroadcastWithKeyedOperator(ctx, spec.fn, spec.descriptors);
    case 'intervalJoin':
      return new IntervalJoinOperator(ctx, spec.fn, spec);
    default:
      return createOperator(ctx);
  }
}
