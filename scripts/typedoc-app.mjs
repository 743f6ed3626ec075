// The TypeDoc application of the API reference (typedoc.json), shared by the site build
// (scripts/build-site.mjs), the doc-comment check (scripts/check-api-docs.mjs) and the
// test (test/docs/api-docs.test.ts). Nothing runs at import.
//
// Every warning TypeDoc prints is collected (text without colours or the "[warning]"
// prefix), so a caller can tell the doc-comment warnings (validation.notDocumented)
// from the others (broken links, referenced types that are not exported, ...).
import { spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');

/** `{0} ({1}), defined in tensorgrad/{2}, does not have any documentation`: TypeDoc's notDocumented message. */
export const NOT_DOCUMENTED = /^(.+) \((\w+)\), defined in [^/]+\/(.+), does not have any documentation$/;

/**
 * Whether the checkout has a git remote named origin. Without one TypeDoc warns that
 * source links cannot be made ("The provided git remote "origin" was not valid"); the
 * reference then leaves out the "Defined in" lines instead (disableSources), so a bare
 * checkout builds with no warning. With any origin (a clone) they are shown: as links
 * when origin is on GitHub, GitLab or Bitbucket, as plain text otherwise.
 */
export function hasGitOrigin() {
  const r = spawnSync('git', ['-C', ROOT, 'remote', 'get-url', 'origin'], { encoding: 'utf8' });
  return r.status === 0 && r.stdout.trim() !== '';
}

const strip = (s) => String(s).replace(/\x1b\[[0-9;]*m/g, '').replace(/^\[(warning|error|info|debug)\]\s*/, '').trim();

/**
 * Bootstraps TypeDoc from typedoc.json (in the repository root) with `overrides` on top,
 * and collects its warnings and errors instead of printing them.
 * @param {Record<string, unknown>} overrides TypeDoc options, e.g. `{ out: 'site-dist/api' }`
 * @returns {Promise<{ app: import('typedoc').Application, warnings: string[], errors: string[] }>}
 * @example
 * const { app, warnings } = await typedocApp({ treatWarningsAsErrors: false });
 * const project = await app.convert(); app.validate(project);
 * console.log(warnings.filter((w) => !NOT_DOCUMENTED.test(w)));
 */
export async function typedocApp(overrides = {}) {
  const { Application, LogLevel } = await import('typedoc');
  const cwd = process.cwd();
  // typedoc.json's relative paths (entry point, tsconfig) are read against the working folder.
  process.chdir(ROOT);
  try {
    const git = hasGitOrigin() ? {} : { disableSources: true };
    const app = await Application.bootstrapWithPlugins({ options: join(ROOT, 'typedoc.json'), ...git, ...overrides });
    const warnings = [];
    const errors = [];
    const base = app.logger.log.bind(app.logger);
    // Warnings and errors are counted (treatWarningsAsErrors reads the counts) and kept, not
    // printed: the caller reports them. Everything else prints as usual.
    app.logger.log = (message, level) => {
      if (level === LogLevel.Warn) { app.logger.warningCount += 1; warnings.push(strip(message)); return; }
      if (level === LogLevel.Error) { app.logger.errorCount += 1; errors.push(strip(message)); return; }
      base(message, level);
    };
    return { app, warnings, errors };
  } finally {
    process.chdir(cwd);
  }
}

/**
 * Converts the sources and runs TypeDoc's validation (no HTML). `notDocumented: true`
 * also reports every exported symbol without a doc comment.
 * @param {{ notDocumented?: boolean }} opts
 * @returns {Promise<{ project: import('typedoc').ProjectReflection | undefined, warnings: string[], errors: string[], undocumented: { name: string, kind: string, file: string, line?: number, member?: boolean }[] }>}
 * @example const { warnings, undocumented } = await convertApi({ notDocumented: true });
 */
export async function convertApi({ notDocumented = false } = {}) {
  const { readFileSync } = await import('node:fs');
  const config = JSON.parse(readFileSync(join(ROOT, 'typedoc.json'), 'utf8'));
  const { app, warnings, errors } = await typedocApp({
    validation: { ...config.validation, notDocumented },
    treatWarningsAsErrors: false,
    // Source lines for the report, with or without a git remote (no HTML is written here).
    disableSources: false, disableGit: true, sourceLinkTemplate: '{path}#L{line}',
  });
  const cwd = process.cwd();
  process.chdir(ROOT);
  let project;
  try {
    project = await app.convert();
    if (project) app.validate(project);
  } finally {
    process.chdir(cwd);
  }
  // Source lines, and whether the reflection is a member (of a class, interface or object
  // type) rather than a top-level symbol, by the name TypeDoc prints (its "friendly full name").
  const { ReflectionKind } = await import('typedoc');
  const info = new Map();
  if (project) {
    for (const r of Object.values(project.reflections)) {
      const name = r.getFriendlyFullName();
      if (info.has(name)) continue;
      const owner = r.kindOf(ReflectionKind.SomeSignature) ? r.parent?.parent : r.parent;
      const member = !!owner?.kindOf(ReflectionKind.ClassOrInterface | ReflectionKind.TypeLiteral | ReflectionKind.Variable);
      info.set(name, { line: r.sources?.[0]?.line ?? (r.kindOf(ReflectionKind.SomeSignature) ? undefined : r.signatures?.[0]?.sources?.[0]?.line), member });
    }
  }
  const undocumented = warnings.map((w) => NOT_DOCUMENTED.exec(w)).filter(Boolean)
    .map(([, name, kind, file]) => ({ name, kind, file, ...info.get(name) }));
  return { project, warnings, errors, undocumented };
}
