/**
 * Fuzz test of tg.onnx.loadModel: 300 seeded hostile variants of the small
 * fixtures (fuzz-cases.ts: truncations, bit flips, random byte runs, and
 * re-encoded structural lies) run in a child process (fuzz-worker.ts) with a
 * per-case time limit and a V8 heap limit. Each case must load (and run
 * forward + backward) or throw one TensorError: no hang, crash, out-of-memory
 * or foreign exception.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const WORKER = fileURLToPath(new URL('./fuzz-worker.ts', import.meta.url));
const CASES = 300;
/** A case running longer than this is a hang (generous: the suite shares 2 cores). */
const CASE_TIMEOUT_MS = 5000;
const START_TIMEOUT_MS = 60_000;
const HEAP_MB = 384;

interface Outcome { i: number; outcome: string; error?: string }

/** Runs cases [from, CASES) in one child; resolves with the results and where to resume after a kill or crash. */
function runChild(from: number): Promise<{ results: Outcome[]; stopped: { at: number; why: string } | null }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--import', 'tsx', `--max-old-space-size=${HEAP_MB}`, WORKER, String(from), String(CASES)], { stdio: ['ignore', 'pipe', 'pipe'] });
    const results: Outcome[] = [];
    let current = from;
    let killedFor: string | null = null;
    let stderr = '';
    let timer = setTimeout(() => kill('did not start'), START_TIMEOUT_MS);
    function kill(why: string) {
      killedFor = why;
      child.kill('SIGKILL');
    }
    let buffered = '';
    child.stderr.on('data', (d: Buffer) => (stderr = (stderr + d.toString()).slice(-2000)));
    child.stdout.on('data', (d: Buffer) => {
      buffered += d.toString();
      let nl: number;
      while ((nl = buffered.indexOf('\n')) >= 0) {
        const line = JSON.parse(buffered.slice(0, nl));
        buffered = buffered.slice(nl + 1);
        clearTimeout(timer);
        if ('start' in line) {
          current = line.start;
          timer = setTimeout(() => kill(`hang: no result within ${CASE_TIMEOUT_MS} ms`), CASE_TIMEOUT_MS);
        } else results.push(line);
      }
    });
    child.on('exit', (code, signal) => {
      clearTimeout(timer);
      const finished = results.length > 0 && results.at(-1)!.i === CASES - 1;
      if (code === 0 && finished) resolve({ results, stopped: null });
      else resolve({ results, stopped: { at: current, why: killedFor ?? `exit ${code ?? signal}: ${stderr.slice(-500)}` } });
    });
  });
}

test(`onnx.loadModel: ${CASES} fuzzed files each load and run, or throw one TensorError`, { timeout: 300_000 }, async () => {
  const all: Outcome[] = [];
  const problems: string[] = [];
  let from = 0;
  while (from < CASES) {
    const { results, stopped } = await runChild(from);
    all.push(...results);
    if (!stopped) break;
    problems.push(`case ${stopped.at}: ${stopped.why}`);
    from = stopped.at + 1;
  }
  for (const r of all) if (r.outcome === 'foreign') problems.push(`case ${r.i}: not a TensorError: ${r.error}`);
  assert.deepEqual(problems, []);
  const counts = { accepted: all.filter((r) => r.outcome === 'accepted').length, rejected: all.filter((r) => r.outcome === 'rejected').length };
  assert.equal(counts.accepted + counts.rejected, CASES);
  assert.ok(counts.rejected > CASES / 4, `most hostile cases are rejected (${JSON.stringify(counts)})`);
});
