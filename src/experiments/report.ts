/**
 * Writing an experiment's results: report.md (headline first, then the table,
 * the plots, the setup and the settings) and results.csv.
 */
import type { Experiment, ExperimentOutput, Row, Scale, Table } from './types.js';

/** CSV (RFC 4180 quoting) with the union of the rows' keys as columns, in order of first appearance. */
export function toCsv(rows: readonly Row[]): string {
  const cols: string[] = [];
  const seen = new Set<string>();
  for (const r of rows) {
    for (const k of Object.keys(r)) {
      if (!seen.has(k)) {
        seen.add(k);
        cols.push(k);
      }
    }
  }
  const cell = (v: unknown): string => {
    if (v === null || v === undefined) return '';
    if (typeof v === 'number') return Number.isFinite(v) ? String(v) : '';
    const s = String(v);
    return /[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
  };
  return `${[cols.map(cell).join(','), ...rows.map((r) => cols.map((c) => cell(r[c])).join(','))].join('\n')}\n`;
}

/** A markdown table; numbers are printed as given (format them before). */
export function markdownTable(t: Table): string {
  const esc = (v: string | number) => String(v).replace(/\|/g, '\\|').replace(/\n/g, ' ');
  return [
    `| ${t.columns.map(esc).join(' | ')} |`,
    `| ${t.columns.map((_, i) => (i === 0 ? '---' : '---:')).join(' | ')} |`,
    ...t.rows.map((r) => `| ${r.map(esc).join(' | ')} |`),
  ].join('\n');
}

export interface ReportMeta {
  scale: Scale;
  seed: number;
  backend: string;
  seconds: number;
  cpuSeconds: number;
  date: string;
  node: string;
  cpu: string;
  settings: object;
  output: ExperimentOutput;
}

const SCALE_WORDS: Record<Scale, string> = {
  smoke: 'smoke-test run (tiny sizes, for the test suite only; the numbers mean nothing)',
  quick: 'quick run (the default; reduced sizes so that it finishes in minutes)',
  full: 'full run (`--full`, the paper-scale setting)',
};

function settingsList(settings: object): string {
  return Object.entries(settings)
    .map(([k, v]) => `- \`${k}\`: ${typeof v === 'object' ? `\`${JSON.stringify(v)}\`` : String(v)}`)
    .join('\n');
}

/** The report as markdown: headline lines first so they can be copied to a README. */
export function renderReport(exp: Experiment<object>, m: ReportMeta): string {
  const o = m.output;
  const flag = m.scale === 'full' ? ' --full' : m.scale === 'smoke' ? ' --smoke' : '';
  const mmss = (t: number) => `${Math.floor(Math.round(t) / 60)}:${String(Math.round(t) % 60).padStart(2, '0')}`;
  const lines: string[] = [`# ${exp.title}`, '', ...o.headline.map((h) => `**${h}**`).flatMap((h) => [h, '']),
    `_${SCALE_WORDS[m.scale]}: \`tensorgrad experiment ${exp.name}${flag} --seed ${m.seed} --backend ${m.backend}\`, ` +
    `${mmss(m.seconds)} wall / ${mmss(m.cpuSeconds)} CPU (m:ss) on ${m.cpu}, Node ${m.node}, ${m.date.slice(0, 10)}._`, '',
    '## Results', '', markdownTable(o.table), ''];
  for (const t of o.tables ?? []) lines.push(`### ${t.title}`, '', markdownTable(t), '');
  for (const p of o.plots) lines.push(`![${p.caption}](${p.file})`, '', `_${p.caption}_`, '');
  if (o.images?.length) {
    lines.push('## Images', '');
    for (const p of o.images) lines.push(`![${p.caption}](${p.file})`, '', `_${p.caption}_`, '');
  }
  if (o.notes?.length) lines.push('## Notes', '', ...o.notes.flatMap((n) => [n, '']));
  lines.push('## Setup', '', exp.description.trim(), '', `### Settings (${m.scale})`, '', settingsList(m.settings), '',
    `Other scales: ${(['quick', 'full'] as const).filter((s) => s !== m.scale).map((s) => `${s}: ${Object.entries(exp.settings[s]).map(([k, v]) => `\`${k}=${JSON.stringify(v)}\``).join(', ')}`).join('; ')}.`, '',
    '## Files', '', '- `results.csv`: the raw numbers, one row per measurement', '- `results.json`: the same plus the settings, summary and curves',
    ...o.plots.map((p) => `- \`${p.file}\``), ...(o.images ?? []).map((p) => `- \`${p.file}\``), '');
  return lines.join('\n');
}
