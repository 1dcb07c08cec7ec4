/**
 * Flink's OutputTag: names a side output of an operator. A process function emits to it with
 * `ctx.output(tag, value)`; `getSideOutput(tag)` on the operator's stream reads it. Two tags are the
 * same side output when their ids are equal (as in Flink, whose `OutputTag.equals` compares ids).
 */
import type { TypeInformation } from './typeinfo/TypeInformation';

export class OutputTag<T> {
  /** Phantom field: keeps `OutputTag<A>` and `OutputTag<B>` apart for the type checker. */
  declare readonly __type?: T;
  readonly id: string;
  readonly typeInfo: TypeInformation | null;

  constructor(id: string, typeInfo: TypeInformation | null = null) {
    if (typeof id !== 'string' || id === '') throw new Error('OutputTag id cannot be null or empty.');
    this.id = id;
    this.typeInfo = typeInfo;
  }

  getId(): string {
    return this.id;
  }

  toString(): string {
    return `OutputTag(${this.typeInfo ? this.typeInfo.toString() : 'unknown'}, ${this.id})`;
  }
}
