// A tiny static file server for the end-to-end test. It serves a directory
// (the Trunk output, dist/) under a sub-path such as /sim/ and answers 404 for
// everything outside it, so a page that used absolute asset URLs would break.
import http from 'node:http';
import fs from 'node:fs/promises';
import path from 'node:path';

const MIME = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.wasm': 'application/wasm',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.txt': 'text/plain; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
};

/**
 * Serve `root` at http://127.0.0.1:<free port><prefix>.
 * Resolves to { url, close, notFound } where notFound lists the paths answered with 404.
 */
export async function serveDirectory(root, prefix = '/sim/') {
  const absRoot = path.resolve(root);
  const notFound = [];

  const server = http.createServer(async (req, res) => {
    const fail = (code) => {
      if (code === 404) notFound.push(req.url);
      res.writeHead(code, { 'content-type': 'text/plain; charset=utf-8' });
      res.end(`${code}\n`);
    };
    try {
      if (req.method !== 'GET' && req.method !== 'HEAD') return fail(405);
      const pathname = decodeURIComponent(new URL(req.url, 'http://x').pathname);
      if (pathname === prefix.slice(0, -1)) {
        res.writeHead(301, { location: prefix });
        return res.end();
      }
      if (!pathname.startsWith(prefix)) return fail(404);
      let rel = pathname.slice(prefix.length);
      if (rel === '' || rel.endsWith('/')) rel += 'index.html';
      const file = path.resolve(absRoot, rel);
      if (file !== absRoot && !file.startsWith(absRoot + path.sep)) return fail(403);
      let body;
      try {
        body = await fs.readFile(file);
      } catch {
        return fail(404);
      }
      const type = MIME[path.extname(file).toLowerCase()] ?? 'application/octet-stream';
      res.writeHead(200, {
        'content-type': type,
        'content-length': body.length,
        'cache-control': 'no-store',
      });
      res.end(req.method === 'HEAD' ? undefined : body);
    } catch (err) {
      res.writeHead(500);
      res.end(String(err));
    }
  });

  await new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve); // port 0: the OS picks a free port
  });
  const { port } = server.address();
  return {
    url: `http://127.0.0.1:${port}${prefix}`,
    notFound,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections?.();
        server.close(() => resolve());
      }),
  };
}
