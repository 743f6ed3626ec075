import { Tensor } from '../tensor/tensor.js';
import { TensorError } from '../core/errors.js';

/**
 * A tensor registered as a module's learnable weight. It shares storage with the
 * tensor it wraps and requires grad unless told otherwise.
 * @example new tg.nn.Parameter(tg.randn([10, 4])) // a [10, 4] weight with requiresGrad true
 */
export class Parameter extends Tensor {
  constructor(data: Tensor, requiresGrad = true) {
    if (!(data instanceof Tensor)) throw new TensorError('Parameter: expected a Tensor');
    const leaf = data.detach();
    super(leaf._storage, leaf.shape, leaf.strides, leaf.offset, leaf.dtype);
    this.requiresGrad = requiresGrad;
  }
}
