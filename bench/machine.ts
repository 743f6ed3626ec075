/** What the numbers were measured on, recorded with every run. */
import { execFileSync } from 'node:child_process';
import os from 'node:os';

export interface MachineInfo {
  host: string;
  cpu: string;
  cores: number;
  memoryGiB: number;
  platform: string;
  node: string;
  v8: string;
  /** 1, 5 and 15 minute load averages when the run started (others share this machine). */
  loadAvgStart: number[];
  loadAvgEnd?: number[];
  git?: { commit: string; changedFiles: number };
}

/** Read-only git look-up; GIT_OPTIONAL_LOCKS=0 keeps `git status` from touching the index. */
function gitInfo(): MachineInfo['git'] {
  try {
    const opts = { encoding: 'utf8' as const, stdio: ['ignore', 'pipe', 'ignore'] as ['ignore', 'pipe', 'ignore'], env: { ...process.env, GIT_OPTIONAL_LOCKS: '0' } };
    const commit = execFileSync('git', ['rev-parse', '--short', 'HEAD'], opts).trim();
    const status = execFileSync('git', ['status', '--porcelain'], opts);
    return { commit, changedFiles: status.split('\n').filter(Boolean).length };
  } catch {
    return undefined;
  }
}

const round2 = (x: number) => Math.round(x * 100) / 100;

export function machineInfo(): MachineInfo {
  const cpus = os.cpus();
  return {
    host: os.hostname(),
    cpu: cpus[0]?.model.trim() ?? 'unknown',
    cores: cpus.length,
    memoryGiB: round2(os.totalmem() / 2 ** 30),
    platform: `${os.platform()} ${os.release()} ${os.arch()}`,
    node: process.version,
    v8: process.versions.v8,
    loadAvgStart: os.loadavg().map(round2),
    git: gitInfo(),
  };
}

export function loadAvg(): number[] {
  return os.loadavg().map(round2);
}
