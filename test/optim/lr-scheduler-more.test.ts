import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import * as tg from '../../src/index.js';
import * as optim from '../../src/optim/index.js';
import { Parameter } from '../../src/nn/parameter.js';

/*
 * CosineAnnealingWarmRestarts, PolynomialLR and SequentialLR against their
 * closed forms and against PyTorch 1.13's lr sequences
 * (test/fixtures/optim-torch.json, from scripts/make-optim-fixtures.py).
 */
const sgd = (lr = 0.1) => new optim.SGD([new Parameter(tg.zeros([1]))], { lr });
type Sched = { step(): void };

function lrs(opt: optim.SGD, sched: Sched, steps = 12): number[] {
  const out = [opt.paramGroups[0]!.lr];
  for (let i = 0; i < steps; i++) {
    sched.step();
    out.push(opt.paramGroups[0]!.lr);
  }
  return out;
}

const close = (got: number[], want: number[], what: string, tol = 1e-15) =>
  want.forEach((w, i) => assert.ok(Math.abs(got[i]! - w) <= tol, `${what}: step ${i}: ${got[i]} vs ${w}`));

function build(kind: string, args: number[], opt: optim.SGD): Sched {
  if (kind === 'CosineAnnealingWarmRestarts') return new optim.CosineAnnealingWarmRestarts(opt, args[0]!, args[1], args[2]);
  if (kind === 'PolynomialLR') return new optim.PolynomialLR(opt, args[0], args[1]);
  const warm = new optim.LinearLR(opt, 0.1, 1, 3);
  const cos = new optim.CosineAnnealingLR(opt, 4, 0.01);
  const exp = new optim.ExponentialLR(opt, 0.5);
  return new optim.SequentialLR(opt, [warm, cos, exp], [3, 7]);
}

describe('CosineAnnealingWarmRestarts, PolynomialLR, SequentialLR', () => {
  test('match PyTorch 1.13 lr sequences (fixtures)', () => {
    const fx = JSON.parse(readFileSync(new URL('../fixtures/optim-torch.json', import.meta.url), 'utf8')) as {
      schedulers: { name: string; kind: string; args: number[]; lrs: number[] }[];
    };
    assert.equal(fx.schedulers.length, 5);
    for (const s of fx.schedulers) {
      const opt = sgd();
      close(lrs(opt, build(s.kind, s.args, opt)), s.lrs, s.name, 1e-12);
    }
  });

  test('warm restarts with step(epoch) jumps and fractional epochs match PyTorch (fixtures)', () => {
    const fx = JSON.parse(readFileSync(new URL('../fixtures/optim-torch.json', import.meta.url), 'utf8')) as {
      warmRestartJumps: { T0: number; TMult: number; etaMin: number; epochs: (number | null)[]; lrs: number[] };
    };
    const { T0, TMult, etaMin, epochs, lrs: want } = fx.warmRestartJumps;
    const opt = sgd();
    const s = new optim.CosineAnnealingWarmRestarts(opt, T0, TMult, etaMin);
    const got = epochs.map((e) => {
      if (e === null) s.step();
      else s.step(e);
      return opt.paramGroups[0]!.lr;
    });
    close(got, want, 'jumps', 1e-12);
  });

  test('warm restarts: closed form, periods T0 * TMult^k, fractional epochs', () => {
    const opt = sgd(1);
    const s = new optim.CosineAnnealingWarmRestarts(opt, 2, 3, 0.1);
    // Periods 2, 6, 18: restarts at epochs 0, 2, 8, 26.
    const want = (tCur: number, tI: number) => 0.1 + 0.9 * (1 + Math.cos((Math.PI * tCur) / tI)) / 2;
    const seq = lrs(opt, s, 27);
    for (const [e, tCur, tI] of [[0, 0, 2], [1, 1, 2], [2, 0, 6], [7, 5, 6], [8, 0, 18], [25, 17, 18], [26, 0, 54]] as const) {
      close([seq[e]!], [want(tCur, tI)], `epoch ${e}`);
    }
    s.step(8.5);
    close([opt.paramGroups[0]!.lr], [want(0.5, 18)], 'step(8.5)');
    assert.equal(s.lastEpoch, 8);
    s.step();
    close([opt.paramGroups[0]!.lr], [want(1.5, 18)], 'step() after step(8.5)');
    const sd = s.stateDict();
    const opt2 = sgd(1);
    const s2 = new optim.CosineAnnealingWarmRestarts(opt2, 2, 3, 0.1);
    s2.loadStateDict(sd);
    assert.equal(opt2.paramGroups[0]!.lr, opt.paramGroups[0]!.lr);
  });

  test('PolynomialLR closed form and resume', () => {
    const opt = sgd(0.5);
    const s = new optim.PolynomialLR(opt, 6, 0.5);
    const seq = lrs(opt, s, 8);
    seq.forEach((lr, e) => close([lr], [0.5 * (1 - Math.min(e, 6) / 6) ** 0.5], `epoch ${e}`));
    const opt2 = sgd(0.5);
    const s2 = new optim.PolynomialLR(opt2, 6, 0.5);
    s2.loadStateDict({ lastEpoch: 3 });
    close([opt2.paramGroups[0]!.lr], [seq[3]!], 'resumed');
  });

  test('SequentialLR resumes from its state dict', () => {
    const optA = sgd();
    const a = build('SequentialLR', [], optA);
    const full = lrs(optA, a, 10);
    const optB = sgd();
    const b = build('SequentialLR', [], optB) as optim.SequentialLR;
    lrs(optB, b, 5);
    const optC = sgd();
    const c = build('SequentialLR', [], optC) as optim.SequentialLR;
    c.loadStateDict(b.stateDict());
    close([optC.paramGroups[0]!.lr, ...Array.from({ length: 5 }, () => (c.step(), optC.paramGroups[0]!.lr))], full.slice(5), 'resumed');
  });

  test('wrong arguments throw a TensorError naming the scheduler', () => {
    const opt = sgd();
    const cases: [() => unknown, RegExp][] = [
      [() => new optim.CosineAnnealingWarmRestarts(opt, 0), /^CosineAnnealingWarmRestarts: T0 must be a positive integer \(got 0\)/],
      [() => new optim.CosineAnnealingWarmRestarts(opt, 2, 1.5), /^CosineAnnealingWarmRestarts: TMult must be a positive integer \(got 1.5\)/],
      [() => new optim.CosineAnnealingWarmRestarts(opt, 2, 1, Number.NaN), /^CosineAnnealingWarmRestarts: etaMin must be a finite number/],
      [() => new optim.CosineAnnealingWarmRestarts(opt, 2).step(-1), /^CosineAnnealingWarmRestarts.step: epoch must be a finite number >= 0 \(got -1\)/],
      [() => new optim.CosineAnnealingWarmRestarts(opt, 2).loadStateDict({ lastEpoch: Number.NaN }), /^CosineAnnealingWarmRestarts.loadStateDict: lastEpoch must be a non-negative integer/],
      [() => new optim.PolynomialLR(opt, -3), /^PolynomialLR: totalIters must be a positive integer \(got -3\)/],
      [() => new optim.PolynomialLR(opt, 5, -1), /^PolynomialLR: power must be a finite number >= 0 \(got -1\)/],
      [() => new optim.SequentialLR(opt, [], []), /^SequentialLR: schedulers must be a non-empty array/],
      [() => new optim.SequentialLR(opt, [new optim.StepLR(opt, 2), new optim.StepLR(opt, 3)], []), /^SequentialLR: expected 1 milestone\(s\) for 2 schedulers \(got \[\]\)/],
      [() => new optim.SequentialLR(opt, [new optim.StepLR(opt, 2), new optim.StepLR(opt, 3)], [0]), /^SequentialLR: milestones must be increasing positive integers/],
      [() => new optim.SequentialLR(opt, [new optim.StepLR(sgd(), 2)], []), /^SequentialLR: schedulers\[0\] drives a different optimizer/],
      [() => new optim.SequentialLR(opt, [new optim.ReduceLROnPlateau(opt) as unknown as optim.LRScheduler], []), /^SequentialLR: schedulers\[0\] is not an epoch-indexed scheduler/],
      [() => new optim.SequentialLR(opt, [new optim.StepLR(opt, 2)], []).loadStateDict({ lastEpoch: -1 }), /^SequentialLR.loadStateDict: lastEpoch must be a non-negative integer/],
    ];
    for (const [fn, re] of cases) assert.throws(fn, (e: unknown) => e instanceof tg.TensorError && re.test(e.message), re.source);
    // A bad part leaves the sequence, its parts and the lr as they were.
    const o2 = sgd();
    const seq = build('SequentialLR', [], o2) as optim.SequentialLR;
    for (let i = 0; i < 4; i++) seq.step();
    const before = [o2.paramGroups[0]!.lr, JSON.stringify(seq.stateDict())];
    assert.throws(() => seq.loadStateDict({ lastEpoch: 1, schedulers: [{ lastEpoch: 0 }, { lastEpoch: -2 }, { lastEpoch: 0 }] }),
      (e: unknown) => e instanceof tg.TensorError && /^SequentialLR.loadStateDict: CosineAnnealingLR.loadStateDict: lastEpoch must be a non-negative integer/.test(e.message));
    assert.deepEqual([o2.paramGroups[0]!.lr, JSON.stringify(seq.stateDict())], before);
  });
});
