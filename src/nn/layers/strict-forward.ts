import { markStrictForward } from '../module.js';
import * as activation from './activation.js';
import * as activationMore from './activation-more.js';
import * as container from './container.js';
import * as conv from './conv.js';
import * as dropout from './dropout.js';
import * as embedding from './embedding.js';
import * as instanceNorm from './instance-norm.js';
import * as linear from './linear.js';
import * as loss from './loss.js';
import * as norm from './norm.js';
import * as padding from './padding.js';
import * as pool from './pool.js';
import * as unflatten from './unflatten.js';
import * as upsample from './upsample.js';

/*
 * Every tg.nn layer's forward takes exactly the parameters it declares, so
 * `layer.forward(x, extra)` throws a TensorError naming the layer (checked in
 * Module's call path) instead of ignoring `extra`. Imported for this side
 * effect by nn/index.ts; a new layer file belongs in this list.
 */
markStrictForward([
  activation, activationMore, container, conv, dropout, embedding, instanceNorm, linear, loss, norm, padding, pool, unflatten, upsample,
].flatMap((m) => Object.values(m)));
