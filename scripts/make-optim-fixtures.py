#!/usr/bin/env python3
"""Regenerates test/fixtures/optim-torch.json from PyTorch (run by hand; tests never need torch).

For each optimizer configuration: 8 steps on f(p) = sum(c * p^2 + p^3 / 10) from
p = [1, -2, 0.5] in float64, the parameters after every step. For each scheduler:
the lr after construction and after each of 12 steps.

    /usr/bin/python3 scripts/make-optim-fixtures.py      # needs PyTorch (generated with 1.13)
"""
import json
import os
import torch

C = torch.tensor([1.0, 3.0, 0.5], dtype=torch.float64)


def run_optimizer(make, steps=8):
    p = torch.nn.Parameter(torch.tensor([1.0, -2.0, 0.5], dtype=torch.float64))
    opt = make([p])
    out = []
    for _ in range(steps):
        opt.zero_grad()
        (C * p * p + p ** 3 / 10).sum().backward()
        opt.step()
        out.append(p.detach().tolist())
    return out


def run_scheduler(make, steps=12):
    p = torch.nn.Parameter(torch.zeros(1, dtype=torch.float64))
    opt = torch.optim.SGD([p], lr=0.1)
    sched = make(opt)
    lrs = [opt.param_groups[0]['lr']]
    for _ in range(steps):
        opt.step()
        sched.step()
        lrs.append(opt.param_groups[0]['lr'])
    return lrs


O = torch.optim
S = torch.optim.lr_scheduler
optimizers = {
    # name: (tensorgrad class, tensorgrad options, factory)
    'NAdam default': ('NAdam', {}, lambda ps: O.NAdam(ps)),
    'NAdam lr 0.1 wd 0.05 momentumDecay 0.01': ('NAdam', {'lr': 0.1, 'weightDecay': 0.05, 'momentumDecay': 0.01},
                                                lambda ps: O.NAdam(ps, lr=0.1, weight_decay=0.05, momentum_decay=0.01)),
    'RAdam default': ('RAdam', {}, lambda ps: O.RAdam(ps)),
    'RAdam lr 0.1 betas 0.8 0.9 wd 0.05': ('RAdam', {'lr': 0.1, 'betas': [0.8, 0.9], 'weightDecay': 0.05},
                                          lambda ps: O.RAdam(ps, lr=0.1, betas=(0.8, 0.9), weight_decay=0.05)),
    'Adadelta default': ('Adadelta', {}, lambda ps: O.Adadelta(ps)),
    'Adadelta lr 0.5 rho 0.8 eps 1e-4 wd 0.05 maximize': ('Adadelta', {'lr': 0.5, 'rho': 0.8, 'eps': 1e-4, 'weightDecay': 0.05, 'maximize': True},
                                                         lambda ps: O.Adadelta(ps, lr=0.5, rho=0.8, eps=1e-4, weight_decay=0.05, maximize=True)),
    'Adamax default': ('Adamax', {}, lambda ps: O.Adamax(ps)),
    'Adamax lr 0.1 betas 0.8 0.9 wd 0.05 maximize': ('Adamax', {'lr': 0.1, 'betas': [0.8, 0.9], 'weightDecay': 0.05, 'maximize': True},
                                                    lambda ps: O.Adamax(ps, lr=0.1, betas=(0.8, 0.9), weight_decay=0.05, maximize=True)),
}


def sequential(opt):
    warm = S.LinearLR(opt, start_factor=0.1, end_factor=1.0, total_iters=3)
    cos = S.CosineAnnealingLR(opt, T_max=4, eta_min=0.01)
    exp = S.ExponentialLR(opt, gamma=0.5)
    return S.SequentialLR(opt, [warm, cos, exp], milestones=[3, 7])


schedulers = {
    # name: (tensorgrad description, factory)
    'CosineAnnealingWarmRestarts T0 3': ({'kind': 'CosineAnnealingWarmRestarts', 'args': [3]}, lambda o: S.CosineAnnealingWarmRestarts(o, 3)),
    'CosineAnnealingWarmRestarts T0 2 TMult 2 etaMin 0.01': ({'kind': 'CosineAnnealingWarmRestarts', 'args': [2, 2, 0.01]},
                                                             lambda o: S.CosineAnnealingWarmRestarts(o, 2, 2, 0.01)),
    'PolynomialLR default': ({'kind': 'PolynomialLR', 'args': []}, lambda o: S.PolynomialLR(o)),
    'PolynomialLR totalIters 8 power 2': ({'kind': 'PolynomialLR', 'args': [8, 2]}, lambda o: S.PolynomialLR(o, total_iters=8, power=2.0)),
    'SequentialLR LinearLR CosineAnnealingLR ExponentialLR milestones 3 7': ({'kind': 'SequentialLR', 'args': []}, sequential),
}

def warm_restarts_at(epochs):
    # step(epoch) jumps (fractional epochs inside an epoch); None is a plain step().
    p = torch.nn.Parameter(torch.zeros(1, dtype=torch.float64))
    opt = torch.optim.SGD([p], lr=0.1)
    sched = S.CosineAnnealingWarmRestarts(opt, 2, 2, 0.01)
    lrs = []
    for e in epochs:
        opt.step()
        sched.step() if e is None else sched.step(e)
        lrs.append(opt.param_groups[0]['lr'])
    return lrs


jumps = [0.5, 1.25, None, 3.7, 5.9, None, 13.5, 2, None, 30.25]
out = {
    'torch': torch.__version__,
    'optimizers': [{'name': k, 'class': c, 'options': o, 'params': run_optimizer(f)} for k, (c, o, f) in optimizers.items()],
    'schedulers': [{'name': k, **d, 'lrs': run_scheduler(f)} for k, (d, f) in schedulers.items()],
    'warmRestartJumps': {'T0': 2, 'TMult': 2, 'etaMin': 0.01, 'epochs': jumps, 'lrs': warm_restarts_at(jumps)},
}
path = os.path.join(os.path.dirname(__file__), '..', 'test', 'fixtures', 'optim-torch.json')
with open(path, 'w') as fh:
    json.dump(out, fh, indent=1)
    fh.write('\n')
print('wrote', os.path.normpath(path))
