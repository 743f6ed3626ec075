// A small static file server for the e2e test of the playground (scripts/web-e2e.mjs):
// serves a built site folder (web/dist) on 127.0.0.1, with or without the
// cross-origin isolation headers (COOP/COEP) that turn on WebAssembly threads.
// Files are served as they are: the MNIST bundle is a .gz the page inflates itself,
// so no Content-Encoding is set. Nothing runs at import.
import { createReadStream, statSync } from 'node:fs';
import { createServer } from 'node:http';
import { extname, join, normalize, sep } from 'node:path';

const TYPES = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.wasm': 'application/wasm',
  '.png': 'image/png',
  '.svg': 'image/svg+xml',
  '.ico': 'image/x-icon',
  '.gz': 'application/octet-stream',
};

/** The headers that make a page cross-origin isolated (SharedArrayBuffer, wasm threads). */
export const ISOLATION_HEADERS = {
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Embedder-Policy': 'require-corp',
};

/**
 * Serves `root` on a free port of 127.0.0.1; resolves to its base URL and a close function.
 * Paths outside `root` and missing files answer 404; `/` serves index.html.
 * @example const site = await serveStatic('web/dist', { isolated: true }); // site.url = 'http://127.0.0.1:41234/'
 * // ... await site.close();
 */
export function serveStatic(root, { isolated }) {
  const base = normalize(root + sep);
  const server = createServer((req, res) => {
    let path;
    try {
      path = decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname);
    } catch {
      return res.writeHead(400).end();
    }
    if (path.endsWith('/')) path += 'index.html';
    const file = normalize(join(base, path));
    // normalize() resolves '..': anything that lands outside the folder is refused.
    if (!file.startsWith(base)) return res.writeHead(404).end();
    let size;
    try {
      const st = statSync(file);
      if (!st.isFile()) return res.writeHead(404).end();
      size = st.size;
    } catch {
      return res.writeHead(404).end();
    }
    res.writeHead(200, {
      ...(isolated ? ISOLATION_HEADERS : {}),
      'Content-Type': TYPES[extname(file)] ?? 'application/octet-stream',
      'Content-Length': size,
      'Cache-Control': 'no-store',
    });
    if (req.method === 'HEAD') return res.end();
    createReadStream(file).pipe(res);
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      resolve({
        url: `http://127.0.0.1:${port}/`,
        close: () => new Promise((done) => { server.closeAllConnections?.(); server.close(() => done()); }),
      });
    });
  });
}
