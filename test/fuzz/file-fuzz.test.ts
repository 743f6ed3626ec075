/**
 * Fuzz test of every file format tensorgrad reads: safetensors, checkpoints,
 * IDX, gzipped IDX, PNG and JPEG. Seeded mutations of valid seed files (bit
 * flips, truncation, byte insertion/deletion, header fields that lie, invalid
 * stored values) plus hand-made hostile files (huge declared sizes, gzip bombs,
 * a million empty tensors, deep JSON nesting) run in child processes
 * (fuzz-worker.ts) with a per-case time limit, a V8 heap limit and a peak-RSS
 * check. Asserted: no hang, no crash or out-of-memory, every error a
 * TensorError, and every structurally invalid file rejected (never silently
 * accepted); valid-but-changed data may load or be rejected.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { FORMATS, hostileCases, type Format } from './formats.js';

const WORKER = fileURLToPath(new URL('./fuzz-worker.ts', import.meta.url));
/** Seeded cases per format. */
const CASES = 250;
/** A case running longer than this is a hang (generous: the suite shares 2 cores). */
const CASE_TIMEOUT_MS = 5000;
/** Child start-up (tsx, the library, the seed files) gets longer. */
const START_TIMEOUT_MS = 60_000;
const HEAP_MB = 256;
/** Peak resident memory allowed for a worker (Node itself and the library take ~100 MB). */
const MAX_RSS_MB = 640;

interface Result { i: number; name: string; expect: 'reject' | 'either'; outcome: 'accepted' | 'rejected' | 'foreign'; error?: string; rssMB: number; ms: number }
interface Problem { format: Format; i: number; what: string }

/** Runs cases [from, CASES) and hostile cases [hostileFrom, ...) in one child; resolves at its exit. */
function runChild(format: Format, from: number, hostileFrom: number, sink: { results: Result[]; problems: Problem[]; maxRssMB: number }): Promise<{ resumeAt: number | null; hostileResumeAt: number }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--import', 'tsx', `--max-old-space-size=${HEAP_MB}`, WORKER, format, String(from), String(CASES), String(hostileFrom)], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let current: number | null = null;
    let done = false;
    let killedFor: string | null = null;
    let timer = setTimeout(() => kill('did not start'), START_TIMEOUT_MS);
    const kill = (why: string) => {
      killedFor = why;
      child.kill('SIGKILL');
    };
    const arm = () => {
      clearTimeout(timer);
      timer = setTimeout(() => kill(`hang: no result within ${CASE_TIMEOUT_MS} ms`), CASE_TIMEOUT_MS);
    };
    let buffered = '';
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr = (stderr + d.toString()).slice(-2000)));
    child.stdout.on('data', (d: Buffer) => {
      buffered += d.toString();
      let nl: number;
      while ((nl = buffered.indexOf('\n')) >= 0) {
        const line = JSON.parse(buffered.slice(0, nl));
        buffered = buffered.slice(nl + 1);
        if ('start' in line) {
          current = line.start;
          arm();
        } else if ('preparing' in line) {
          // Building the hostile files (tens of MB) is not a case: it gets the start-up allowance, not the per-case one.
          clearTimeout(timer);
          timer = setTimeout(() => kill('did not finish building its hostile cases'), START_TIMEOUT_MS);
        } else if ('done' in line) {
          done = true;
          sink.maxRssMB = Math.max(sink.maxRssMB, line.maxRssMB);
        } else {
          current = null;
          sink.results.push(line as Result);
          sink.maxRssMB = Math.max(sink.maxRssMB, line.rssMB);
          arm();
        }
      }
    });
    child.on('exit', (code, signal) => {
      clearTimeout(timer);
      if (done && code === 0) return resolve({ resumeAt: null, hostileResumeAt: 0 });
      const at = current ?? -999;
      sink.problems.push({ format, i: at, what: killedFor ?? `crash: exit ${code ?? signal} ${stderr.trim().split('\n').slice(-3).join(' | ')}` });
      if (at === -999) return resolve({ resumeAt: null, hostileResumeAt: 0 }); // cannot say where: stop this format
      // Skip the failed case and go on in a fresh child.
      resolve(at >= 0 ? { resumeAt: at + 1, hostileResumeAt: 0 } : { resumeAt: CASES, hostileResumeAt: -at });
    });
  });
}

async function fuzzFormat(format: Format) {
  const sink = { results: [] as Result[], problems: [] as Problem[], maxRssMB: 0 };
  let next: { resumeAt: number | null; hostileResumeAt: number } = { resumeAt: 0, hostileResumeAt: 0 };
  while (next.resumeAt !== null && sink.problems.length < 5) next = await runChild(format, next.resumeAt, next.hostileResumeAt, sink);
  return sink;
}

describe('file fuzzing (child processes, bounded time and memory)', () => {
  test(`${CASES} seeded mutations per format plus hostile files: no hang, no crash, no silent acceptance`, { timeout: 600_000 }, async (t) => {
    const started = performance.now();
    const queue = [...FORMATS];
    const sinks = new Map<Format, Awaited<ReturnType<typeof fuzzFormat>>>();
    // Two children at a time: the machine (and CI) has two cores.
    await Promise.all([0, 1].map(async () => {
      for (let f = queue.shift(); f; f = queue.shift()) sinks.set(f, await fuzzFormat(f));
    }));
    const seconds = (performance.now() - started) / 1000;

    const problems: string[] = [];
    let total = 0;
    for (const format of FORMATS) {
      const { results, problems: p, maxRssMB } = sinks.get(format)!;
      total += results.length;
      const count = (expect: string, outcome: string) => results.filter((r) => r.expect === expect && r.outcome === outcome).length;
      t.diagnostic(`${format}: ${results.length} cases (${hostileCases(format).length} hostile); must reject: ${count('reject', 'rejected')} rejected, ` +
        `${count('reject', 'accepted')} accepted; may load: ${count('either', 'accepted')} loaded, ${count('either', 'rejected')} rejected; ` +
        `slowest ${Math.max(...results.map((r) => r.ms))} ms; peak RSS ${maxRssMB} MB`);
      for (const x of p) problems.push(`${format} case ${x.i}: ${x.what}`);
      for (const r of results) {
        if (r.outcome === 'foreign') problems.push(`${format} case ${r.i} (${r.name}): threw a non-TensorError: ${r.error}`);
        if (r.expect === 'reject' && r.outcome === 'accepted') problems.push(`${format} case ${r.i} (${r.name}): structurally invalid but accepted`);
      }
      if (maxRssMB > MAX_RSS_MB) problems.push(`${format}: peak RSS ${maxRssMB} MB exceeds ${MAX_RSS_MB} MB`);
      if (results.length !== CASES + hostileCases(format).length) problems.push(`${format}: ${results.length} results for ${CASES + hostileCases(format).length} cases`);
    }
    t.diagnostic(`${total} cases in ${seconds.toFixed(1)} s`);
    assert.deepEqual(problems, []);
  });
});
