#!/usr/bin/env python3
"""Regenerates test/fixtures/edge-torch.json from PyTorch (run by hand; tests never need torch).

Forward values and gradients of tensorgrad's ops at the points where conventions
matter: the kinks of activations and elementwise ops (relu at 0, elu at 0,
hardtanh at its bounds, ...), ties of max/min/maximum/minimum, ±Inf and NaN in
reductions and the softmax family, and training-mode normalisation of inputs
far from zero (~N(1000, 1)). Each case is computed in float64 by PyTorch; the
test (test/ops/edge-torch.test.ts) runs the same op on every backend and dtype
and compares. Gradients are of sum(out * upstream) (upstream = ones unless given).

    /usr/bin/python3 scripts/make-edge-fixtures.py      # needs PyTorch (generated with 1.13)
"""
import json
import math
import os
import torch
import torch.nn.functional as F

torch.set_default_dtype(torch.float64)
INF, NAN = math.inf, math.nan
cases = []


def enc(v):
    """JSON has no NaN/Infinity: those become the strings 'nan', 'inf', '-inf'."""
    if isinstance(v, bool):
        return v
    if isinstance(v, int):
        return v
    if math.isnan(v):
        return 'nan'
    if math.isinf(v):
        return 'inf' if v > 0 else '-inf'
    return v


def flat(t):
    return [enc(v) for v in t.detach().reshape(-1).tolist()]


def case(name, op, fn, inputs, args=None, grad=True, upstream=None, shapes=None, f32=True, f32_tol=None, f64_tol=None):
    """inputs: nested lists (or tensors); grad: bool or list of bools per input."""
    xs = [torch.as_tensor(x, dtype=torch.float64).clone() for x in inputs]
    if shapes is not None:
        xs = [x.reshape(s) for x, s in zip(xs, shapes)]
    wants = grad if isinstance(grad, list) else [grad] * len(xs)
    for x, w in zip(xs, wants):
        x.requires_grad_(w)
    out = fn(*xs)
    entry = {
        'name': name, 'op': op, 'args': args or {},
        'inputs': [{'shape': list(x.shape), 'data': flat(x)} for x in xs],
        'out': {'shape': list(out.shape), 'data': flat(out), 'dtype': 'int' if not out.is_floating_point() else 'float'},
        'f32': f32,
    }
    u = torch.ones_like(out) if upstream is None else torch.as_tensor(upstream, dtype=torch.float64).reshape(out.shape)
    if any(wants):
        (out * u).sum().backward()
        entry['upstream'] = None if upstream is None else flat(u)
        entry['grads'] = [flat(x.grad) if w else None for x, w in zip(xs, wants)]
    if f64_tol is not None:
        entry['f64Tol'] = f64_tol
    if f32_tol is not None:
        entry['f32Tol'] = f32_tol
        # For the record: PyTorch's own float32 error against its float64 result (max abs, forward and gradients).
        x32 = [x.detach().float().requires_grad_(w) for x, w in zip(xs, wants)]
        o32 = fn(*x32)
        errs = [(o32.double() - out.detach()).abs().max().item()]
        if any(wants):
            (o32 * u.float()).sum().backward()
            errs += [(a.grad.double() - x.grad).abs().max().item() for a, x, w in zip(x32, xs, wants) if w]
        entry['torchF32MaxErr'] = errs
    cases.append(entry)


# ---- activations at their kinks (plus ordinary points on each side) --------------------
ordinary = [-2.5, -0.5, 0.5, 2.5]
case('relu at 0', 'relu', F.relu, [[0.0] + ordinary])
case('leakyRelu at 0', 'leakyRelu', lambda x: F.leaky_relu(x, 0.2), [[0.0] + ordinary], {'negativeSlope': 0.2})
for alpha in [1.0, 2.0, 0.5]:
    case(f'elu alpha {alpha} at 0', 'elu', lambda x, a=alpha: F.elu(x, a), [[0.0, -100.0, 100.0] + ordinary], {'alpha': alpha})
case('selu at 0', 'selu', F.selu, [[0.0, -100.0, 100.0] + ordinary])
case('hardtanh at its bounds', 'hardtanh', F.hardtanh, [[-1.0, 1.0] + ordinary])
case('hardtanh -2 2 at its bounds', 'hardtanh', lambda x: F.hardtanh(x, -2.0, 2.0), [[-2.0, 2.0] + ordinary], {'minVal': -2, 'maxVal': 2})
case('relu6 at 0 and 6', 'relu6', F.relu6, [[0.0, 6.0, 7.0, 5.5] + ordinary])
# PyTorch's hardsigmoid_backward uses the float constant 1.0f / 6.0f even in float64 (0.16666667163...):
# tensorgrad uses 1/6, so this case is compared to 1e-7 in float64.
case('hardsigmoid at -3 and 3', 'hardsigmoid', F.hardsigmoid, [[-3.0, 3.0, -4.0, 4.0] + ordinary], f64_tol=1e-7)
# PyTorch 1.13's hardswish_backward differs between its scalar loop (x/3 + 1/2 on -3 <= x <= 3, so 1.5
# at x = 3) and its vectorised loop (1 at x = 3, used for all but the tail of tensors of >= 8 elements).
# tensorgrad follows the scalar formula (the written definition): one element at a time here.
case('hardswish at -3 and 3', 'hardswish', lambda x: torch.stack([F.hardswish(v) for v in x]), [[-3.0, 3.0, -4.0, 4.0, 0.0] + ordinary])
case('softplus at the threshold', 'softplus', F.softplus, [[20.0, 0.0, -20.0, 19.5, 20.5, 100.0, -100.0] + ordinary])
case('softplus beta 2 at the threshold', 'softplus', lambda x: F.softplus(x, 2.0, 20.0), [[10.0, 0.0, 9.9, 10.1] + ordinary],
     {'beta': 2, 'threshold': 20})
case('gelu at 0', 'gelu', F.gelu, [[0.0, -10.0, 10.0] + ordinary])
case('gelu tanh at 0', 'gelu', lambda x: F.gelu(x, approximate='tanh'), [[0.0, -10.0, 10.0] + ordinary], {'approximate': 'tanh'})
case('mish at 0', 'mish', F.mish, [[0.0, -30.0, 30.0] + ordinary])
case('silu at 0', 'silu', F.silu, [[0.0, -30.0, 30.0] + ordinary])
case('sigmoid at 0 and far out', 'sigmoid', torch.sigmoid, [[0.0, -100.0, 100.0] + ordinary])
case('tanh at 0 and far out', 'tanh', torch.tanh, [[0.0, -100.0, 100.0] + ordinary])
case('logSigmoid at 0 and far out', 'logSigmoid', F.logsigmoid, [[0.0, -100.0, 100.0] + ordinary])
case('softsign at 0', 'softsign', F.softsign, [[0.0] + ordinary])

case('celu alpha 2 at 0', 'celu', lambda x: F.celu(x, 2.0), [[0.0, -100.0, 100.0] + ordinary], {'alpha': 2})
case('prelu at 0', 'prelu', F.prelu, [[[0.0, -1.5, 2.0], [0.0, 0.5, -0.5]], [0.25]])
case('softmin with ±Inf', 'softmin', lambda x: F.softmin(x, 1), [[[INF, 1.0, 2.0], [-INF, 1.0, 2.0], [1.0, 2.0, 3.0]]], {'dim': 1},
     grad=False)

# ---- elementwise kinks ---------------------------------------------------------------
case('abs at 0', 'abs', torch.abs, [[0.0] + ordinary])
case('sign at 0', 'sign', torch.sign, [[0.0] + ordinary])
case('clamp at its bounds', 'clamp', lambda x: torch.clamp(x, -1.0, 1.0), [[-1.0, 1.0] + ordinary], {'min': -1, 'max': 1})
case('clamp min only at its bound', 'clamp', lambda x: torch.clamp(x, min=0.0), [[0.0] + ordinary], {'min': 0})
case('round half to even', 'round', torch.round, [[0.5, 1.5, 2.5, -0.5, -1.5, 0.49, 2.51]])
case('floor at integers', 'floor', torch.floor, [[1.0, -1.0, 0.0, 1.5, -1.5]])
case('ceil at integers', 'ceil', torch.ceil, [[1.0, -1.0, 0.0, 1.5, -1.5]])
case('sqrt at 0', 'sqrt', torch.sqrt, [[0.0, 0.25, 4.0]])
case('rsqrt at 0', 'rsqrt', torch.rsqrt, [[0.0, 0.25, 4.0]])
case('log at 0', 'log', torch.log, [[0.0, 1.0, 2.0]])
case('reciprocal at 0', 'reciprocal', torch.reciprocal, [[0.0, 2.0, -4.0]])
case('pow 2 at 0', 'powScalar', lambda x: x ** 2, [[0.0, -1.5, 2.0]], {'exponent': 2})
case('pow 0.5 at 0', 'powScalar', lambda x: x ** 0.5, [[0.0, 0.25, 4.0]], {'exponent': 0.5})
case('pow 0 at 0', 'powScalar', lambda x: x ** 0.0, [[0.0, -1.5, 2.0]], {'exponent': 0})
case('pow -1 at 0', 'powScalar', lambda x: x ** -1.0, [[0.0, -1.5, 2.0]], {'exponent': -1})
case('pow tensor exponent at base 0', 'pow', torch.pow, [[0.0, 0.0, 0.0, 2.0, 1.5], [2.0, 0.0, 0.5, 0.0, -1.0]])
case('maximum ties', 'maximum', torch.maximum, [[1.0, 2.0, 3.0, -1.0], [1.0, 1.0, 3.0, 0.0]])
case('minimum ties', 'minimum', torch.minimum, [[1.0, 2.0, 3.0, -1.0], [1.0, 1.0, 3.0, 0.0]])

# ---- NaN and ±Inf through elementwise ops and activations (forward only) -----------------
nonfinite = [[NAN, INF, -INF, 0.0, 1.0, NAN, -2.0, INF, -INF]]  # 9 elements: SIMD lanes and a tail
for op, fn, args in [
    ('relu', F.relu, {}), ('leakyRelu', lambda x: F.leaky_relu(x, 0.2), {'negativeSlope': 0.2}),
    ('elu', F.elu, {'alpha': 1}), ('selu', F.selu, {}), ('celu', lambda x: F.celu(x, 2.0), {'alpha': 2}),
    ('hardtanh', F.hardtanh, {}), ('relu6', F.relu6, {}), ('hardsigmoid', F.hardsigmoid, {}), ('hardswish', F.hardswish, {}),
    ('softplus', F.softplus, {}), ('gelu', F.gelu, {}), ('silu', F.silu, {}), ('mish', F.mish, {}),
    ('sigmoid', torch.sigmoid, {}), ('tanh', torch.tanh, {}), ('logSigmoid', F.logsigmoid, {}), ('softsign', F.softsign, {}),
    # sign is left out: PyTorch's sign(NaN) is 0, tensorgrad's NaN (the backends' sign kernels; not yet matched).
    ('abs', torch.abs, {}), ('round', torch.round, {}), ('floor', torch.floor, {}),
    ('sqrt', torch.sqrt, {}), ('clamp', lambda x: torch.clamp(x, -1.0, 1.0), {'min': -1, 'max': 1}),
]:
    case(f'{op} of NaN and ±Inf', op, fn, nonfinite, args, grad=False)
case('maximum with NaN', 'maximum', torch.maximum, [nonfinite[0], [1.0] * 9], grad=False)
case('minimum with NaN', 'minimum', torch.minimum, [nonfinite[0], [1.0] * 9], grad=False)

# ---- reductions with ±Inf and NaN -------------------------------------------------------
special_rows = [[INF, 1.0, 2.0], [-INF, 1.0, 2.0], [INF, -INF, 1.0], [INF, INF, 1.0], [-INF, -INF, -INF],
                [NAN, 1.0, INF], [1.0, 2.0, 3.0]]
case('sum with ±Inf and NaN', 'sum', lambda x: x.sum(1), [special_rows], {'dim': 1}, grad=False)
case('sum of many with one Inf', 'sum', lambda x: x.sum(), [[0.1] * 37 + [INF] + [0.3] * 20], grad=False)
case('sum of many with -Inf and Inf', 'sum', lambda x: x.sum(), [[0.1] * 37 + [INF, -INF] + [0.3] * 20], grad=False)
case('mean with ±Inf and NaN', 'mean', lambda x: x.mean(1), [special_rows], {'dim': 1}, grad=False)
case('prod with ±Inf, 0 and NaN', 'prod', lambda x: x.prod(1), [[[INF, 0.0, 2.0], [-INF, 2.0, 2.0], [NAN, 0.0, 1.0], [INF, -INF, 1.0]]],
     {'dim': 1}, grad=False)
case('var with ±Inf and NaN', 'var', lambda x: x.var(1), [special_rows], {'dim': 1}, grad=False)
case('std with Inf', 'std', lambda x: x.std(1), [special_rows], {'dim': 1}, grad=False)
case('amax with ±Inf and NaN', 'amax', lambda x: x.amax(1), [special_rows], {'dim': 1})
case('amin with ±Inf and NaN', 'amin', lambda x: x.amin(1), [special_rows], {'dim': 1})
case('logsumexp with ±Inf and NaN', 'logsumexp', lambda x: torch.logsumexp(x, 1), [special_rows], {'dim': 1}, grad=False)
case('logsumexp gradient with ±Inf', 'logsumexp', lambda x: torch.logsumexp(x, 1),
     [[[-INF, 1.0, 2.0], [-INF, -INF, 0.5], [1.0, 2.0, 3.0], [INF, 1.0, 2.0], [-INF, -INF, -INF]]], {'dim': 1})
case('softmax with ±Inf and NaN', 'softmax', lambda x: torch.softmax(x, 1), [special_rows], {'dim': 1}, grad=False)
case('softmax gradient with -Inf', 'softmax', lambda x: torch.softmax(x, 1), [[[-INF, 1.0, 2.0], [1.0, 2.0, 3.0]]], {'dim': 1},
     upstream=[[0.3, -1.0, 2.0], [1.0, 0.5, -0.25]])
case('logSoftmax with ±Inf and NaN', 'logSoftmax', lambda x: torch.log_softmax(x, 1), [special_rows], {'dim': 1}, grad=False)
case('logSoftmax gradient with -Inf', 'logSoftmax', lambda x: torch.log_softmax(x, 1), [[[-INF, 1.0, 2.0], [1.0, 2.0, 3.0]]],
     {'dim': 1}, upstream=[[0.0, -1.0, 2.0], [1.0, 0.5, -0.25]])

# ---- ties and NaN in max/min -----------------------------------------------------------
ties = [[1.0, 3.0, 3.0, 0.0], [2.0, 2.0, 0.0, 2.0], [-1.0, -1.0, -1.0, -1.0]]
case('max(dim) values: the gradient to the first maximum', 'maxDimValues', lambda x: x.max(1)[0], [ties], {'dim': 1})
case('max(dim) indices: the first maximum', 'maxDimIndices', lambda x: x.max(1)[1], [ties], {'dim': 1}, grad=False)
case('max(dim 0, keepdim) values', 'maxDimValues', lambda x: x.max(0, keepdim=True)[0], [ties], {'dim': 0, 'keepdim': True})
case('min(dim) values: the gradient to the first minimum', 'minDimValues', lambda x: x.min(1)[0], [ties], {'dim': 1})
case('min(dim) indices: the first minimum', 'minDimIndices', lambda x: x.min(1)[1], [ties], {'dim': 1}, grad=False)
case('max() without dim splits ties', 'max', lambda x: x.max(), [ties])
case('min() without dim splits ties', 'min', lambda x: x.min(), [ties])
case('amax splits ties', 'amax', lambda x: x.amax(1), [ties], {'dim': 1})
case('amin over dims splits ties', 'amin', lambda x: x.amin((0, 1)), [ties], {'dim': [0, 1]})
nan_rows = [[1.0, NAN, 3.0, NAN], [1.0, 2.0, 2.0, 0.0]]
case('max(dim) with NaN: the first NaN', 'maxDimValues', lambda x: x.max(1)[0], [nan_rows], {'dim': 1})
case('max(dim) indices with NaN', 'maxDimIndices', lambda x: x.max(1)[1], [nan_rows], {'dim': 1}, grad=False)
case('min(dim) indices with NaN', 'minDimIndices', lambda x: x.min(1)[1], [nan_rows], {'dim': 1}, grad=False)
case('max() with NaN: the gradient split between the NaNs', 'max', lambda x: x.max(), [nan_rows])
case('argmax: first on ties, first NaN', 'argmax', lambda x: x.argmax(1), [ties + [[0.0, NAN, 5.0, NAN]]], {'dim': 1}, grad=False)
case('argmin: first on ties, first NaN', 'argmin', lambda x: x.argmin(1), [ties + [[0.0, NAN, -5.0, NAN]]], {'dim': 1}, grad=False)
case('argmax flattened: first on ties', 'argmax', lambda x: x.argmax(), [ties], grad=False)

# ---- normalisation far from zero --------------------------------------------------------
# Inputs are float32-representable (drawn in float32), so a float32 run sees exactly these values.
g = torch.Generator().manual_seed(9)
def draw(*shape, mean=0.0, std=1.0):
    return (torch.randn(*shape, generator=g, dtype=torch.float32) * std + mean).double()

x = draw(16, 3, 5, 5, mean=1000.0)
w, b, up = draw(3), draw(3), draw(16, 3, 5, 5)
bn = lambda x, w, b: F.batch_norm(x, None, None, w, b, training=True)
case('batchNorm training, mean 1000', 'batchNormTrain', bn, [x, w, b], upstream=up, f32_tol=3e-6)
x1 = draw(64, 4, mean=-3000.0, std=2.0)
w1, b1, up1 = draw(4), draw(4), draw(64, 4)
case('batchNorm1d training, mean -3000', 'batchNormTrain', bn, [x1, w1, b1], upstream=up1, f32_tol=3e-6)
xl = draw(6, 40, mean=1000.0)
wl, bl, upl = draw(40), draw(40), draw(6, 40)
case('layerNorm, mean 1000', 'layerNorm', lambda x, w, b: F.layer_norm(x, [40], w, b), [xl, wl, bl], {'normalizedShape': [40]},
     upstream=upl, f32_tol=3e-6)
xg = draw(4, 6, 3, 3, mean=1000.0)
wg, bgr, upg = draw(6), draw(6), draw(4, 6, 3, 3)
case('groupNorm, mean 1000', 'groupNorm', lambda x, w, b: F.group_norm(x, 3, w, b), [xg, wg, bgr], {'numGroups': 3},
     upstream=upg, f32_tol=3e-6)
xi = draw(3, 4, 6, 6, mean=1000.0)
upi = draw(3, 4, 6, 6)
# instanceNorm centres in two passes like the others (PyTorch's own float32 error: ~2e-4).
case('instanceNorm, mean 1000', 'instanceNorm', lambda x: F.instance_norm(x), [xi], upstream=upi, f32_tol=3e-6)
case('cumsum with ±Inf and NaN', 'cumsum', lambda x: torch.cumsum(x, 1), [special_rows], {'dim': 1}, grad=False)
case('cumprod with 0, ±Inf and NaN', 'cumprod', lambda x: torch.cumprod(x, 1), [[[INF, 0.0, 2.0], [-INF, 2.0, 2.0], [NAN, 0.0, 1.0], [2.0, 0.0, 3.0]]],
     {'dim': 1}, grad=False)
xv = draw(5, 200, mean=1000.0)
case('var, mean 1000', 'var', lambda x: x.var(1), [xv], {'dim': 1}, f32_tol=3e-6)
case('std, mean 1000', 'std', lambda x: x.std(1), [xv], {'dim': 1}, f32_tol=3e-6)

out = os.path.join(os.path.dirname(__file__), '..', 'test', 'fixtures', 'edge-torch.json')
with open(out, 'w') as f:
    json.dump({'torch': torch.__version__, 'cases': cases}, f, separators=(',', ':'))
    f.write('\n')
print(f'wrote {len(cases)} cases to {os.path.normpath(out)}')
