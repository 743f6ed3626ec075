/**
 * A small well-formedness check for the SVG documents the charts write: tags
 * balance, attributes are quoted, entities are escaped. Enough to catch
 * broken output without an XML parser dependency.
 */
import assert from 'node:assert/strict';

export function assertWellFormedXml(doc: string, what = 'document'): void {
  const body = doc.replace(/<\?xml[^>]*\?>/, '').replace(/<!--[\s\S]*?-->/g, '');
  const stack: string[] = [];
  const tag = /<(\/?)([A-Za-z][\w:.-]*)((?:\s+[\w:.-]+="[^"<]*")*)\s*(\/?)>/g;
  let last = 0;
  let m: RegExpExecArray | null;
  let root = 0;
  while ((m = tag.exec(body))) {
    const between = body.slice(last, m.index);
    assert.ok(!between.includes('<'), `${what}: malformed tag near ${JSON.stringify(body.slice(m.index - 60, m.index))}`);
    assert.ok(!/&(?!amp;|lt;|gt;|quot;|apos;|#\d+;)/.test(between), `${what}: unescaped & in text ${JSON.stringify(between.slice(0, 60))}`);
    last = tag.lastIndex;
    const [, close, name, , selfClose] = m;
    if (close) {
      assert.equal(stack.pop(), name, `${what}: </${name}> closes the wrong element`);
    } else if (!selfClose) {
      if (!stack.length) root++;
      stack.push(name!);
    } else if (!stack.length) {
      root++;
    }
  }
  assert.ok(!body.slice(last).includes('<'), `${what}: malformed tag at the end`);
  assert.deepEqual(stack, [], `${what}: unclosed elements ${stack.join(', ')}`);
  assert.equal(root, 1, `${what}: expected exactly one root element`);
}

/** Parses CSV with RFC 4180 quoting into rows of cells. */
export function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [], cell = '', quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        cell += '"';
        i++;
      } else if (c === '"') {
        quoted = false;
      } else {
        cell += c;
      }
    } else if (c === '"') {
      quoted = true;
    } else if (c === ',') {
      row.push(cell);
      cell = '';
    } else if (c === '\n') {
      row.push(cell);
      rows.push(row);
      row = [];
      cell = '';
    } else {
      cell += c;
    }
  }
  if (cell || row.length) {
    row.push(cell);
    rows.push(row);
  }
  return rows;
}
