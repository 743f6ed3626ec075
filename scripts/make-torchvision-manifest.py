#!/usr/bin/env python3
"""Regenerates test/fixtures/torchvision/ from PyTorch (run by hand; tests never need torch).

    /usr/bin/python3 scripts/make-torchvision-manifest.py   # generated with torch 1.13, torchvision 0.14

Writes:
- manifest.json: for each torchvision architecture the zoo mirrors (resnet18/34/50,
  vgg11/13/16/19 with and without batch norm, alexnet; 1000 classes, default
  options), the ordered [name, shape, dtype] list of `model.state_dict()`.
- small-resnet.safetensors: the state dict of torchvision's ResNet-18 layout
  (BasicBlock, [2, 2, 2, 2]) at stage widths 4-8-16-32 instead of 64-128-256-512,
  3 input channels, 5 classes (tensorgrad: resnet18({ numClasses: 5, widths:
  [4, 8, 16, 32] })), written with a
  hand-written writer that produces exactly the bytes of
  `safetensors.torch.save_file(model.state_dict(), path)` (the `safetensors`
  package is not installed here; save_file writes no __metadata__ unless given). Running statistics are set to non-trivial
  values and num_batches_tracked to 7 (I64), as after training.
- small-resnet.json: a fixed input [2, 3, 32, 32] and the model's outputs in eval
  mode (float32 forward, float64 values in JSON).

The small model is `torchvision.models.resnet.ResNet(BasicBlock, [2, 2, 2, 2])` with
its stem and stage widths replaced, so names come from torchvision's own classes.
"""
import json
import math
import os
import struct

import torch
import torch.nn as nn
import torchvision
from torchvision.models.resnet import BasicBlock, ResNet

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 'test', 'fixtures', 'torchvision')
os.makedirs(OUT, exist_ok=True)

ARCHS = ['resnet18', 'resnet34', 'resnet50',
         'vgg11', 'vgg13', 'vgg16', 'vgg19', 'vgg11_bn', 'vgg13_bn', 'vgg16_bn', 'vgg19_bn',
         'alexnet']

DTYPE_NAMES = {torch.float32: 'F32', torch.float64: 'F64', torch.int64: 'I64', torch.int32: 'I32'}

# ---- 1. the manifest -------------------------------------------------------------------
manifest = {'torch': torch.__version__, 'torchvision': torchvision.__version__, 'models': {}}
for arch in ARCHS:
    # torch 1.13 has no `with torch.device('meta')` and torchvision 0.14 builders take no
    # device, so the models are built for real (a few seconds in all).
    model = getattr(torchvision.models, arch)(weights=None, num_classes=1000)
    manifest['models'][arch] = [[k, list(v.shape), DTYPE_NAMES[v.dtype]] for k, v in model.state_dict().items()]
    del model

with open(os.path.join(OUT, 'manifest.json'), 'w') as f:
    # One entry per line: readable diffs, small file.
    f.write('{\n')
    f.write(f'  "torch": {json.dumps(manifest["torch"])},\n  "torchvision": {json.dumps(manifest["torchvision"])},\n  "models": {{\n')
    archs = list(manifest['models'].items())
    for i, (arch, entries) in enumerate(archs):
        f.write(f'    {json.dumps(arch)}: [\n')
        f.write(',\n'.join(f'      {json.dumps(e, separators=(",", ":"))}' for e in entries))
        f.write('\n    ]' + (',' if i < len(archs) - 1 else '') + '\n')
    f.write('  }\n}\n')


# ---- 2. a small ResNet written as safetensors.torch.save_file writes it ------------------
def save_file(tensors, path, metadata=None):
    """The safetensors format as the reference (Rust) writer lays it out: tensors sorted
    by dtype alignment (descending, Rust Dtype enum order) then name, compact JSON with
    __metadata__ first, header padded with spaces to a multiple of 8."""
    rank = {'I64': 13, 'F64': 12, 'F32': 11, 'I32': 9}  # positions in the Rust Dtype enum (only the order matters)
    items = []
    for name, t in tensors.items():
        t = t.detach().contiguous().cpu()
        items.append((name, DTYPE_NAMES[t.dtype], list(t.shape), t.numpy().astype(t.numpy().dtype.newbyteorder('<')).tobytes()))
    items.sort(key=lambda it: (-rank[it[1]], it[0].encode('utf-8')))
    header, offset = {}, 0
    if metadata:
        header['__metadata__'] = metadata
    for name, code, shape, data in items:
        header[name] = {'dtype': code, 'shape': shape, 'data_offsets': [offset, offset + len(data)]}
        offset += len(data)
    text = json.dumps(header, separators=(',', ':')).encode('utf-8')
    text += b' ' * ((8 - len(text) % 8) % 8)
    with open(path, 'wb') as f:
        f.write(struct.pack('<Q', len(text)))
        f.write(text)
        for it in items:
            f.write(it[3])


torch.manual_seed(13)
small = ResNet(BasicBlock, [2, 2, 2, 2], num_classes=5)
# Narrow it: rebuild the stem and stages at widths 4-8-16-32 with torchvision's own _make_layer.
small.inplanes = 4
small.conv1 = nn.Conv2d(3, 4, kernel_size=7, stride=2, padding=3, bias=False)
small.bn1 = nn.BatchNorm2d(4)
small.layer1 = small._make_layer(BasicBlock, 4, 2)
small.layer2 = small._make_layer(BasicBlock, 8, 2, stride=2)
small.layer3 = small._make_layer(BasicBlock, 16, 2, stride=2)
small.layer4 = small._make_layer(BasicBlock, 32, 2, stride=2)
small.fc = nn.Linear(32, 5)
with torch.no_grad():
    for m in small.modules():
        if isinstance(m, nn.BatchNorm2d):
            m.weight.uniform_(0.5, 1.5)
            m.bias.uniform_(-0.2, 0.2)
            m.running_mean.uniform_(-0.3, 0.3)
            m.running_var.uniform_(0.5, 2.0)
            m.num_batches_tracked.fill_(7)
small.eval()
save_file(small.state_dict(), os.path.join(OUT, 'small-resnet.safetensors'))

x = torch.tensor([math.sin(0.37 * k + 0.1) for k in range(2 * 3 * 32 * 32)], dtype=torch.float32).reshape(2, 3, 32, 32)
with torch.no_grad():
    y = small(x)
with open(os.path.join(OUT, 'small-resnet.json'), 'w') as f:
    json.dump({
        'about': 'torchvision ResNet(BasicBlock, [2,2,2,2]) at widths 4-8-16-32, 5 classes, eval mode; '
                 'input x[k] = sin(0.37 k + 0.1) as float32, shape [2,3,32,32]; see scripts/make-torchvision-manifest.py',
        'widths': [4, 8, 16, 32], 'numClasses': 5, 'inputShape': [2, 3, 32, 32],
        'output': y.double().reshape(-1).tolist(), 'outputShape': list(y.shape),
    }, f)
print('wrote', OUT)
