/**
 * Shared hyperparameter checks for the optimizers added after the first four
 * (NAdam, RAdam, Adadelta, Adamax), so each constructor rejects a bad value with
 * one TensorError naming the optimizer, the option and the value — the checks
 * torch.optim does with ValueError, plus non-numbers that JavaScript lets through.
 */
export type Require = (ok: boolean, what: string) => void;

const isNum = (v: unknown): v is number => typeof v === 'number' && !Number.isNaN(v);

/** lr >= 0, eps >= 0, weightDecay >= 0 (all finite numbers). */
export function checkCommon(require: Require, o: { lr: number; eps: number; weightDecay: number }): void {
  require(isNum(o.lr) && Number.isFinite(o.lr) && o.lr >= 0, `invalid learning rate ${String(o.lr)} (must be a finite number >= 0)`);
  require(isNum(o.eps) && Number.isFinite(o.eps) && o.eps >= 0, `invalid eps ${String(o.eps)} (must be a finite number >= 0)`);
  require(isNum(o.weightDecay) && Number.isFinite(o.weightDecay) && o.weightDecay >= 0, `invalid weightDecay ${String(o.weightDecay)} (must be a finite number >= 0)`);
}

/** betas = [b1, b2], each in [0, 1). */
export function checkBetas(require: Require, betas: unknown): void {
  const ok = Array.isArray(betas) && betas.length === 2 && betas.every((b) => isNum(b) && b >= 0 && b < 1);
  require(ok, `invalid betas ${JSON.stringify(betas)} (expected [beta1, beta2], each in [0, 1))`);
}

/** A boolean option (a string 'false' would otherwise read as true). */
export function checkBool(require: Require, name: string, v: unknown): void {
  require(typeof v === 'boolean', `${name} must be true or false (got ${JSON.stringify(v)})`);
}

/** The step count kept in per-parameter state, incremented. */
export function nextStep(state: Record<string, unknown>): number {
  const step = ((state.step as number | undefined) ?? 0) + 1;
  state.step = step;
  return step;
}
