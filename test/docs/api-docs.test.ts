/**
 * The documentation site (issue 16): the API reference's TypeDoc configuration
 * (typedoc.json) converts src/index.ts with no warning (broken links, types it cannot
 * resolve or that are referenced but not exported...), with the package's namespaces
 * (tg.F, tg.nn, ...) and the doc comments; and the site builder (scripts/build-site.mjs)
 * renders tutorial chapters (here a dummy set in a temporary folder): links between
 * chapters .md -> .html with their #anchors, images copied, links to the README, the
 * guide, the experiments, the API and the playground; the README (readme.html) and the
 * guide (docs/guide/ -> guide/, with the navigation's Guide link); and its link check
 * finds a broken link.
 * Strict, as `npm run docs:check`: every exported symbol, member and option field has a doc
 * comment (typedoc.json validation.notDocumented, so `npm run build:site` fails too), and every
 * documented function has an @example.
 */
import { describe, test, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { ROOT } from './markdown.js';

interface Reflection {
  name: string;
  kind: number;
  comment?: { blockTags: { tag: string }[]; summary: unknown[] };
  signatures?: Reflection[];
  getChildByName(name: string): Reflection | undefined;
}
interface TypedocApp {
  convertApi(opts: { notDocumented?: boolean }): Promise<{ project?: Reflection; warnings: string[]; errors: string[] }>;
}
interface ApiDocsCheck {
  functionsWithoutExample(project: Reflection): Promise<{ name: string; file: string; line?: number }[]>;
}
interface Plan { pages: Map<string, string>; chapters: string[] }
interface SiteBuilder {
  sitePlan(root: string, tutorialsDir: string): Plan;
  buildPages(root: string, out: string, plan: Plan): { written: string[]; repoLinks: string[] };
  checkLinks(out: string, pages: string[]): string[];
  slugger(): (text: string) => string;
}
const load = async <T>(file: string): Promise<T> => (await import(pathToFileURL(join(ROOT, file)).href)) as T;

const dir = mkdtempSync(join(tmpdir(), 'tg-site-'));
after(() => rmSync(dir, { recursive: true, force: true }));

// The reference does not depend on the backend: the suite's backend variants (npm run test:variants) skip it.
const variant = process.env.TENSORGRAD_BACKEND === 'reference' || process.env.TENSORGRAD_FUSED === '0';

describe('API reference (TypeDoc, typedoc.json)', () => {
  test('converts src/index.ts with no warnings, every export documented, the namespaces and doc comments in it', { timeout: 180_000, skip: variant && 'a backend variant run' }, async () => {
    const { convertApi } = await load<TypedocApp>('scripts/typedoc-app.mjs');
    const { project, warnings, errors } = await convertApi({ notDocumented: true });
    assert.deepEqual(errors, []);
    assert.deepEqual(warnings, [], `TypeDoc warnings (npm run build:site fails on them; npm run docs:check -- --list lists missing comments):\n  ${warnings.join('\n  ')}`);
    assert.ok(project);
    for (const ns of ['F', 'nn', 'optim', 'data', 'models', 'analysis', 'viz', 'onnx', 'io', 'train']) {
      const namespace = project.getChildByName(ns);
      assert.ok(namespace, `no namespace ${ns} in the reference`);
      assert.ok(namespace.comment && namespace.comment.summary.length > 0, `namespace ${ns} has no description (a doc comment on its export in src/index.ts)`);
    }
    // A documented function shows its comment and its example.
    const conv = project.getChildByName('F')?.getChildByName('conv2d');
    const comment = conv?.signatures?.[0]?.comment;
    assert.ok(comment && comment.summary.length > 0, 'F.conv2d has no doc comment in the reference');
    assert.ok(comment.blockTags.some((t) => t.tag === '@example'), 'F.conv2d shows no @example');
    assert.ok(project.getChildByName('Tensor') && project.getChildByName('tensor'));
    const { functionsWithoutExample } = await load<ApiDocsCheck>('scripts/check-api-docs.mjs');
    const noExample = await functionsWithoutExample(project);
    assert.deepEqual(noExample.map((f) => `${f.file}:${f.line} ${f.name}`), [], 'documented functions without an @example');
  });
});

describe('site pages (scripts/build-site.mjs)', () => {
  const tut = join(dir, 'tutorials');
  mkdirSync(join(tut, 'images'), { recursive: true });
  writeFileSync(join(tut, '01-first.md'), [
    '# 1. First steps',
    '',
    'Next: [the second chapter](02-second.md#a-section-title), the [README](../../README.md#install), the [guide](../guide/cli.md),',
    'a [report](../experiments/depth/report.md), [`tg.tensor`](../api/functions/tensor.html),',
    'the [Draw tab](../playground/#draw), [the program](01-first.ts) and [an example](../../examples/spiral.ts).',
    '',
    '![a figure](images/figure.svg)',
    '',
    '```ts',
    "const x = 1 < 2 && 'a';",
    '```',
  ].join('\n'));
  writeFileSync(join(tut, '01-first.ts'), '// The first chapter\'s program.\nconsole.log(1);\n');
  writeFileSync(join(tut, '02-second.md'), '# 2. Second\n\n## A section: title!\n\nBack to [the first](01-first.md). A [broken link](missing.md).\n');
  writeFileSync(join(tut, 'images/figure.svg'), '<svg xmlns="http://www.w3.org/2000/svg" width="4" height="4"/>');

  test('chapters render with rewritten links, copied images, anchors and a chapter list', async () => {
    const site = await load<SiteBuilder>('scripts/build-site.mjs');
    const out = join(dir, 'out');
    const plan = site.sitePlan(ROOT, tut);
    assert.deepEqual(plan.chapters, ['docs/tutorials/01-first.md', 'docs/tutorials/02-second.md']);
    const { written } = site.buildPages(ROOT, out, plan);
    for (const page of ['index.html', 'readme.html', 'guide/index.html', 'guide/cli.html', 'tutorials/index.html', 'tutorials/01-first.html', 'tutorials/01-first.ts.html', 'tutorials/02-second.html']) {
      assert.ok(written.includes(page), `${page} was not written`);
    }
    assert.ok(existsSync(join(out, 'tutorials/images/figure.svg')), 'the image was not copied');
    assert.ok(existsSync(join(out, 'tutorials/01-first.ts')), 'the program was not copied');
    const first = readFileSync(join(out, 'tutorials/01-first.html'), 'utf8');
    for (const href of ['02-second.html#a-section-title', '../readme.html#install', '../guide/cli.html', '../docs/experiments/depth/report.html',
      '../api/functions/tensor.html', '../playground/#draw', '01-first.ts.html', '../examples/spiral.ts.html']) {
      assert.ok(first.includes(`href="${href}"`), `no link to ${href} in 01-first.html`);
    }
    assert.match(first, /<img src="images\/figure\.svg"/);
    assert.match(first, /&lt; 2 &amp;&amp;/, 'code is escaped');
    assert.match(first, /<a rel="next" href="02-second.html">/, 'no link to the next chapter');
    assert.match(readFileSync(join(out, 'tutorials/02-second.html'), 'utf8'), /<h2 id="a-section-title">/);
    assert.match(readFileSync(join(out, 'tutorials/index.html'), 'utf8'), /href="01-first.html">1\. First steps</);
    assert.match(readFileSync(join(out, 'index.html'), 'utf8'), /href="tutorials\/02-second.html"/, 'the landing page lists the chapters');

    // The README and the guide link the tutorials' README.md, which this dummy set lacks: that opens
    // the generated index instead. The guide's pages link each other and the README.
    assert.match(readFileSync(join(out, 'readme.html'), 'utf8'), /href="tutorials\/index.html"/);
    assert.match(readFileSync(join(out, 'guide/index.html'), 'utf8'), /href="\.\.\/tutorials\/index.html"/);
    const guide = readFileSync(join(out, 'guide/cli.html'), 'utf8');
    for (const href of ['../readme.html', 'index.html', 'models-in-and-out.html', 'training.html']) assert.ok(guide.includes(`href="${href}"`), `no link to ${href} in guide/cli.html`);
    assert.match(guide, /<a href="\.\.\/guide\/index.html" aria-current="page">Guide<\/a>/, 'the navigation marks the guide');

    // The link check: the missing chapter is found; the API and playground are not built here.
    const broken = site.checkLinks(out, written).filter((b) => !/\(no (api|playground)\//.test(b));
    assert.deepEqual(broken, ['tutorials/02-second.html: missing.md (no tutorials/missing.md)']);
  });

  test('heading anchors are GitHub\'s', async () => {
    const slug = (await load<SiteBuilder>('scripts/build-site.mjs')).slugger();
    assert.equal(slug('Models in and out: ONNX, PyTorch weights, fine-tuning'), 'models-in-and-out-onnx-pytorch-weights-fine-tuning');
    assert.equal(slug('tg.nn (layers)'), 'tgnn-layers');
    assert.equal(slug('Models in and out: ONNX, PyTorch weights, fine-tuning'), 'models-in-and-out-onnx-pytorch-weights-fine-tuning-1');
  });
});
