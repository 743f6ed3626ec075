/**
 * Strict parsers for numeric flags: a value outside its range is refused with
 * one line naming the flag, the allowed range and the value given, never
 * clamped or rounded. Used as commander argParsers, so a bad value stops the
 * command before any work starts.
 */
import { InvalidArgumentError } from 'commander';

export interface Range {
  min: number;
  max: number;
}

const INTEGER = /^[+-]?\d+$/;

/** Whether `v` is a safe integer in `[min, max]` (flags, and the numbers stored in run configs and checkpoints). */
export const isIntIn = (v: unknown, { min, max }: Range): v is number => Number.isSafeInteger(v) && (v as number) >= min && (v as number) <= max;

/**
 * Parser for an integer flag in `[min, max]`: plain decimal digits only
 * (`1.5`, `1e3`, `0x10`, `''` and `NaN` are refused).
 * @example program.option('--epochs <n>', 'epochs', intFlag('--epochs', { min: 1, max: 100_000 }), 3)
 */
export function intFlag(name: string, range: Range): (value: string) => number {
  return (value) => {
    const n = Number(value.trim());
    if (!INTEGER.test(value.trim()) || !isIntIn(n, range)) {
      throw new InvalidArgumentError(`${name} must be an integer from ${range.min} to ${range.max.toLocaleString('en-US')} (got '${value}')`);
    }
    return n;
  };
}

/**
 * Parser for a finite number flag in `[min, max]`, or `(min, max]` with
 * `exclusiveMin` (a learning rate must be above 0).
 * @example program.option('--lr <x>', 'learning rate', numberFlag('--lr', { min: 0, max: 10, exclusiveMin: true }))
 */
export function numberFlag(name: string, { min, max, exclusiveMin = false }: Range & { exclusiveMin?: boolean }): (value: string) => number {
  return (value) => {
    const n = value.trim() === '' ? NaN : Number(value);
    const tooLow = exclusiveMin ? n <= min : n < min;
    if (!Number.isFinite(n) || tooLow || n > max) {
      const range = `${exclusiveMin ? 'above' : 'from'} ${min} ${exclusiveMin ? 'and at most' : 'to'} ${max}`;
      throw new InvalidArgumentError(`${name} must be a number ${range} (got '${value}')`);
    }
    return n;
  };
}

/**
 * Parser for a flag that takes one of `values`: anything else is refused with
 * `unknown <noun> '<value>' for <flag> (available: ...)`.
 * @example program.option('--optimizer <name>', 'optimizer', choiceFlag('--optimizer', 'optimizer', ['sgd', 'adam']), 'sgd')
 */
export function choiceFlag(name: string, noun: string, values: readonly string[]): (value: string) => string {
  return (value) => {
    if (!values.includes(value)) throw new InvalidArgumentError(`unknown ${noun} '${value}' for ${name} (available: ${values.join(', ')})`);
    return value;
  };
}

/** Limits of the CLI's numeric flags (documented in docs/guide/errors-and-limits.md). */
export const LIMITS = {
  epochs: { min: 1, max: 100_000 },
  batchSize: { min: 1, max: 1_000_000 },
  lr: { min: 0, max: 10 },
  weightDecay: { min: 0, max: 1 },
  seed: { min: 0, max: 2 ** 32 - 1 },
  subset: { min: 1, max: 100_000_000 },
  topK: { min: 1, max: 100_000 },
  classes: { min: 1, max: 100_000 },
} as const;
