#!/usr/bin/env python3
"""Regenerates test/fixtures/layers-torch.json from PyTorch (run by hand; tests never need torch).

Forward values and gradients of the layers added for PyTorch parity (instance
norm with running statistics, PReLU, CELU, Softmin, padding layers, Embedding
with padding_idx and max_norm) on fixed float64 inputs x[k] = sin(0.7 k + 0.3) * 2,
with the loss sum(out * proj), proj[k] = cos(0.3 k).

    /usr/bin/python3 scripts/make-layer-fixtures.py      # needs PyTorch (generated with 1.13)
"""
import json
import math
import os
import torch
import torch.nn as nn
import torch.nn.functional as F


def inp(*shape, zeros=()):
    n = math.prod(shape)
    v = [math.sin(0.7 * k + 0.3) * 2 for k in range(n)]
    for k in zeros:
        v[k] = 0.0
    return torch.tensor(v, dtype=torch.float64).reshape(shape).requires_grad_(True)


def proj(t):
    return torch.tensor([math.cos(0.3 * k) for k in range(t.numel())], dtype=torch.float64).reshape(t.shape)


def flat(t):
    return t.detach().reshape(-1).tolist()


def case(name, out, inputs, **extra):
    (out * proj(out)).sum().backward()
    return {'name': name, 'shape': list(out.shape), 'out': flat(out), 'grads': [flat(t.grad) for t in inputs], **extra}


cases = []

x = inp(2, 3, 5)
m = nn.InstanceNorm1d(3, affine=True, track_running_stats=True, momentum=0.2).double()
with torch.no_grad():
    m.weight.copy_(torch.tensor([1.5, -0.5, 2.0], dtype=torch.float64))
    m.bias.copy_(torch.tensor([0.1, 0.2, -0.3], dtype=torch.float64))
cases.append(case('InstanceNorm1d affine trackRunningStats momentum 0.2', m(x), [x, m.weight, m.bias],
                  running_mean=flat(m.running_mean), running_var=flat(m.running_var)))

x = inp(2, 3, 2, 3)
cases.append(case('InstanceNorm2d eval without running stats', nn.InstanceNorm2d(3).double().eval()(x), [x]))

x = inp(2, 3, 4, zeros=(0, 5, 9))
m = nn.PReLU(3, 0.1).double()
with torch.no_grad():
    m.weight.copy_(torch.tensor([0.1, -0.2, 0.3], dtype=torch.float64))
cases.append(case('PReLU 3 slopes, zeros in the input', m(x), [x, m.weight]))

x = inp(3, 4, zeros=(0, 7))
cases.append(case('CELU alpha 0.5, zeros in the input', nn.CELU(0.5)(x), [x]))

x = inp(3, 4)
cases.append(case('Softmin dim 1', nn.Softmin(1)(x), [x]))

x = inp(1, 2, 3, 4)
cases.append(case('ReflectionPad2d [1, 2, 2, 1]', nn.ReflectionPad2d((1, 2, 2, 1))(x), [x]))
x = inp(1, 2, 3, 4)
cases.append(case('ReplicationPad2d [2, 0, 1, 3]', nn.ReplicationPad2d((2, 0, 1, 3))(x), [x]))
x = inp(1, 2, 3, 4)
cases.append(case('ConstantPad2d [1, -1, 0, 2] value 0.5', nn.ConstantPad2d((1, -1, 0, 2), 0.5)(x), [x]))

w = inp(6, 3)
ids = torch.tensor([[1, 3, 0], [3, 5, 1]])
m = nn.Embedding(6, 3, padding_idx=3, max_norm=1.5).double()
with torch.no_grad():
    m.weight.copy_(w)
out = m(ids)
cases.append(case('Embedding paddingIdx 3 maxNorm 1.5', out, [m.weight], ids=ids.tolist(), weight=flat(w), weight_after=flat(m.weight)))

path = os.path.join(os.path.dirname(__file__), '..', 'test', 'fixtures', 'layers-torch.json')
with open(path, 'w') as fh:
    json.dump({'torch': torch.__version__, 'cases': cases}, fh, indent=1)
    fh.write('\n')
print('wrote', os.path.normpath(path))
