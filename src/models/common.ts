/*
 * Argument and input checks shared by the model builders, so every model reports
 * bad options and bad inputs the same way: `<model>: <what> (got <value>)`.
 */
import { TensorError, fmtShape } from '../core/errors.js';
import type { Tensor } from '../tensor/tensor.js';
import type { Module } from '../nn/module.js';
import { Conv2d } from '../nn/layers/conv.js';
import * as init from '../nn/init.js';

/** Throws unless `value` is a positive integer. */
export function checkPositiveInt(model: string, name: string, value: unknown): asserts value is number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1) {
    throw new TensorError(`${model}: ${name} must be a positive integer (got ${String(value)})`);
  }
}

/** Throws unless `value` is a probability in [0, 1) (a dropout rate of 1 would zero everything). */
export function checkDropout(model: string, value: unknown): asserts value is number {
  if (typeof value !== 'number' || !(value >= 0 && value < 1)) {
    throw new TensorError(`${model}: dropout must be a number in [0, 1) (got ${String(value)})`);
  }
}

/** Throws unless `value` is one of `allowed`. */
export function checkOneOf<T extends string>(model: string, name: string, value: unknown, allowed: readonly T[]): asserts value is T {
  if (!allowed.includes(value as T)) {
    throw new TensorError(`${model}: ${name} must be one of ${allowed.map((a) => `'${a}'`).join(', ')} (got ${JSON.stringify(value)})`);
  }
}

/** Throws unless `value` is a boolean. */
export function checkBoolean(model: string, name: string, value: unknown): asserts value is boolean {
  if (typeof value !== 'boolean') throw new TensorError(`${model}: ${name} must be true or false (got ${JSON.stringify(value)})`);
}

/** Rejects option keys the builder does not know (a typo such as `numClass` would otherwise be ignored silently). */
export function checkKnownOptions(model: string, opts: object, known: readonly string[]): void {
  if (opts === null || typeof opts !== 'object') throw new TensorError(`${model}: options must be an object (got ${String(opts)})`);
  const unknown = Object.keys(opts).filter((k) => !known.includes(k));
  if (unknown.length) {
    throw new TensorError(`${model}: unknown option${unknown.length > 1 ? 's' : ''} ${unknown.map((k) => `'${k}'`).join(', ')} (expected ${known.join(', ')})`);
  }
}

/**
 * Checks an image batch `[N, C, H, W]` against the model's channel count and the
 * smallest spatial size it accepts, before the first layer fails with a less
 * helpful message deep inside.
 */
export function checkImageInput(model: string, x: Tensor, inChannels: number, minSize = 1): void {
  if (x.ndim !== 4 || x.shape[1] !== inChannels) {
    throw new TensorError(`${model}: expected input [N, ${inChannels}, H, W] (got ${fmtShape(x.shape)})`);
  }
  if (x.shape[2]! < minSize || x.shape[3]! < minSize) {
    throw new TensorError(`${model}: input must be at least ${minSize}x${minSize} (got ${fmtShape(x.shape)})`);
  }
}

/**
 * torchvision's initialisation for VGG and ResNet: every Conv2d gets
 * kaiming_normal_(mode='fan_out', nonlinearity='relu') and a zero bias; every
 * batch norm weight 1, bias 0 (already the layer default). Linear layers are
 * left to the caller.
 */
export function kaimingConvInit(model: Module): void {
  for (const m of model.modules()) {
    if (m instanceof Conv2d) {
      init.kaimingNormal_(m.weight, { mode: 'fanOut', nonlinearity: 'relu' });
      if (m.bias) init.zeros_(m.bias);
    }
  }
}
