/**
 * The timing plans of bench/run.ts and the browser page bench/web: whole
 * networks get longer blocks than single kernels; --quick shortens everything.
 */
import type { TimingPlan } from './harness.js';
import type { Workload } from './workloads/index.js';

/**
 * Reference-backend blocks (and those of any contender whose step takes over
 * `slowStepMs`) are one step each; a step predicted to take over `maxStepMs`
 * is not run at full size but estimated (see harness.ts).
 */
export function plans(quick: boolean): Record<Workload['kind'], TimingPlan> {
  const quickLimits = { maxStepMs: 2000, probeMs: 1000, slowStepMs: 500, reducedMaxBlocks: 1, reducedMinBlocks: 1 };
  const fullLimits = { maxStepMs: 5000, probeMs: 2500, slowStepMs: 1000, reducedMaxBlocks: 3, reducedMinBlocks: 2 };
  return quick
    ? {
      net: { ...quickLimits, blockMs: 150, maxBlocks: 3, minBlocks: 2, budgetMs: 900, warmMs: 200 },
      kernel: { ...quickLimits, blockMs: 60, maxBlocks: 3, minBlocks: 1, budgetMs: 300, warmMs: 100 },
    }
    : {
      net: { ...fullLimits, blockMs: 300, maxBlocks: 7, minBlocks: 3, budgetMs: 3000, warmMs: 400 },
      kernel: { ...fullLimits, blockMs: 120, maxBlocks: 5, minBlocks: 3, budgetMs: 900, warmMs: 150 },
    };
}

/**
 * The browser page's plans: as {@link plans}, but --quick halves the step limit
 * and the probe time, since the page's three GPU columns each pay a shader
 * compilation per size (an untimed warm-up step) and, on a software adapter,
 * probe up to the limit on every row; this keeps a quick page near two minutes
 * on SwiftShader.
 */
export function webPlans(quick: boolean): Record<Workload['kind'], TimingPlan> {
  const p = plans(quick);
  if (!quick) return p;
  const tighter = { maxStepMs: 1000, probeMs: 500, slowStepMs: 300 };
  return { net: { ...p.net, ...tighter }, kernel: { ...p.kernel, ...tighter } };
}

/** True for an adapter that is a CPU emulation (SwiftShader, llvmpipe, WARP): its numbers are not GPU speed. */
export function isSoftwareAdapter(name: string): boolean {
  return /swiftshader|llvmpipe|lavapipe|software|warp|microsoft basic render/i.test(name);
}
