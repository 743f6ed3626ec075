#!/usr/bin/env python3
"""Writes the ONNX import fixtures in test/fixtures/onnx/ (issue 13).

Run with Debian's Python (torch 1.13, onnx 1.12):  /usr/bin/python3 scripts/make-onnx-fixtures.py

For each small model: NAME.onnx (torch.onnx.export, opset 17, dynamic batch axis, eval mode)
and NAME.json with, for two batch sizes, the input and PyTorch's output (float32,
flattened row-major, with shapes). test/onnx/import.test.ts checks that
tg.onnx.loadModel(NAME.onnx) reproduces those outputs within 1e-5.
"""
import json
import os

import torch
import torch.nn as nn
import torch.nn.functional as F

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 'test', 'fixtures', 'onnx')


class LeNet(nn.Module):
    """LeNet-like CNN: Conv/ReLU/MaxPool, Conv/Tanh/AvgPool, Flatten, Gemm, LogSoftmax."""
    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(1, 4, 5, padding=2)
        self.conv2 = nn.Conv2d(4, 8, 3)
        self.fc1 = nn.Linear(8 * 2 * 2, 16)
        self.fc2 = nn.Linear(16, 5)

    def forward(self, x):
        x = F.max_pool2d(F.relu(self.conv1(x)), 2)
        x = F.avg_pool2d(torch.tanh(self.conv2(x)), 2)
        x = torch.flatten(x, 1)
        return F.log_softmax(self.fc2(F.relu(self.fc1(x))), dim=1)


class Block(nn.Module):
    def __init__(self, cin, cout, stride):
        super().__init__()
        self.conv1 = nn.Conv2d(cin, cout, 3, stride, 1, bias=False)
        self.bn1 = nn.BatchNorm2d(cout)
        self.conv2 = nn.Conv2d(cout, cout, 3, 1, 1, bias=False)
        self.bn2 = nn.BatchNorm2d(cout)
        self.down = None
        if stride != 1 or cin != cout:
            self.down = nn.Sequential(nn.Conv2d(cin, cout, 1, stride, bias=False), nn.BatchNorm2d(cout))

    def forward(self, x):
        y = F.relu(self.bn1(self.conv1(x)))
        y = self.bn2(self.conv2(y))
        return F.relu(y + (x if self.down is None else self.down(x)))


class ResNetTiny(nn.Module):
    """ResNet-style: stem Conv/BN/ReLU/MaxPool(ceil), two residual blocks, GlobalAveragePool, Linear."""
    def __init__(self):
        super().__init__()
        self.stem = nn.Sequential(nn.Conv2d(3, 6, 3, padding=1, bias=False), nn.BatchNorm2d(6), nn.ReLU(),
                                  nn.MaxPool2d(3, 2, padding=1, ceil_mode=True))
        self.layer1 = Block(6, 6, 1)
        self.layer2 = Block(6, 8, 2)
        self.pool = nn.AdaptiveAvgPool2d(1)
        self.fc = nn.Linear(8, 4)

    def forward(self, x):
        x = self.layer2(self.layer1(self.stem(x)))
        return self.fc(torch.flatten(self.pool(x), 1))


class MLP(nn.Module):
    """MLP: Gemm, LayerNorm, GELU (Erf), Dropout, Sigmoid, SiLU, Softplus, Softmax, Sub/Div/Pow/Sqrt."""
    def __init__(self):
        super().__init__()
        self.fc1 = nn.Linear(10, 16)
        self.ln = nn.LayerNorm(16)
        self.fc2 = nn.Linear(16, 12)
        self.fc3 = nn.Linear(12, 3)
        self.drop = nn.Dropout(0.3)

    def forward(self, x):
        h = self.drop(F.gelu(self.ln(self.fc1(x))))
        h = F.softplus(self.fc2(h)) * torch.sigmoid(h[:, :12]) + F.silu(h[:, 4:])
        h = (h - h.mean(dim=1, keepdim=True)) / torch.sqrt(h.pow(2).mean(dim=1, keepdim=True) + 1.0)
        return F.softmax(self.fc3(h).clamp(-3.0, 3.0), dim=-1)


class ReshapeNet(nn.Module):
    """Flatten via x.view(x.size(0), -1) (Shape/Gather/Unsqueeze/Concat/Reshape), plus Pad (reflect,
    replicate), ConvTranspose, grouped/dilated Conv, LeakyReLU, ELU, Hardswish, Hardsigmoid, ReLU6 (Clip),
    PReLU, InstanceNorm, Transpose, MatMul, Concat, Exp/Log/Abs/Neg, Max/Min."""
    def __init__(self):
        super().__init__()
        self.conv = nn.Conv2d(2, 4, 3, padding=1, padding_mode='reflect')
        self.gconv = nn.Conv2d(4, 4, 3, padding=2, dilation=2, groups=2)
        self.up = nn.ConvTranspose2d(4, 3, 2, stride=2)
        self.inorm = nn.InstanceNorm2d(3, affine=True)
        self.prelu = nn.PReLU(3)
        self.proj = nn.Parameter(torch.randn(7, 4) * 0.3)
        self.fc = nn.Linear(3 * 5 * 4 + 4, 3)

    def forward(self, x):
        y = F.leaky_relu(self.conv(x), 0.2)
        y = F.elu(self.gconv(F.pad(y, (1, 1, 1, 1), mode='replicate')))
        y = F.avg_pool2d(y, 3, stride=2, padding=1, count_include_pad=False)
        y = F.hardswish(self.up(y))
        y = self.prelu(self.inorm(y))
        y = F.relu6(y) + F.hardsigmoid(y)
        y = F.max_pool2d(y, 2)                                    # [N, 3, 5, 7]
        y = torch.matmul(y, self.proj)                             # [N, 3, 5, 4]
        z = torch.maximum(y.abs(), torch.log(torch.exp(-y) + 1.0)) - torch.minimum(y, -y.neg())
        z = z.transpose(2, 3)
        flat = z.reshape(z.size(0), -1)
        stats = torch.cat([flat.mean(1, keepdim=True), flat.amax(1, keepdim=True), flat.amin(1, keepdim=True),
                           flat.std(1, keepdim=True)], 1)
        return self.fc(torch.cat([flat, stats], 1))


MODELS = {
    'lenet': (LeNet, [1, 12, 12]),
    'resnet-tiny': (ResNetTiny, [3, 12, 12]),  # exported with TrainingMode.PRESERVE: BatchNormalization kept, not folded into Conv
    'mlp': (MLP, [10]),
    'reshape-net': (ReshapeNet, [2, 8, 12]),
}


def rounded(t):
    return [float(f'{v:.9g}') for v in t.detach().reshape(-1).tolist()]


def main():
    os.makedirs(OUT, exist_ok=True)
    for i, (name, (cls, sample)) in enumerate(MODELS.items()):
        torch.manual_seed(13 + i)
        model = cls()
        # Non-trivial batch-norm statistics, as a trained model has.
        for m in model.modules():
            if isinstance(m, nn.BatchNorm2d):
                m.running_mean.uniform_(-0.5, 0.5)
                m.running_var.uniform_(0.5, 2.0)
                m.weight.data.uniform_(0.5, 1.5)
                m.bias.data.uniform_(-0.2, 0.2)
        model.eval()
        x = torch.randn([2] + sample)
        path = os.path.join(OUT, f'{name}.onnx')
        # PRESERVE (the model is in eval mode) keeps BatchNormalization nodes and their running statistics
        # as initializers, instead of folding them into the convolutions as the default EVAL export does.
        training = torch.onnx.TrainingMode.PRESERVE if name == 'resnet-tiny' else torch.onnx.TrainingMode.EVAL
        torch.onnx.export(model, (x,), path, opset_version=17, training=training, input_names=['input'], output_names=['output'],
                          dynamic_axes={'input': {0: 'batch'}, 'output': {0: 'batch'}}, do_constant_folding=True)
        cases = []
        for batch in (2, 5):
            xb = torch.randn([batch] + sample)
            with torch.no_grad():
                y = model(xb)
            cases.append({'input': {'shape': list(xb.shape), 'data': rounded(xb)},
                          'output': {'shape': list(y.shape), 'data': rounded(y)}})
        with open(os.path.join(OUT, f'{name}.json'), 'w') as f:
            json.dump({'model': name, 'torch': torch.__version__, 'opset': 17, 'cases': cases}, f)
        print(name, os.path.getsize(path), 'bytes')


if __name__ == '__main__':
    main()
