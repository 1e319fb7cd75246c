/**
 * Serves the built Astro site (site/dist): correct content types, HEAD,
 * directory index, the site's 404 page, long caching for hashed assets, and
 * no way out of the site directory.
 */
import fs from 'node:fs';
import path from 'node:path';
import { Readable } from 'node:stream';

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.gif': 'image/gif',
  '.webp': 'image/webp',
  '.ico': 'image/x-icon',
  '.txt': 'text/plain; charset=utf-8',
  '.xml': 'application/xml; charset=utf-8',
  '.woff': 'font/woff',
  '.woff2': 'font/woff2',
  '.map': 'application/json; charset=utf-8',
  '.webmanifest': 'application/manifest+json',
};

export function contentTypeFor(file: string): string {
  return TYPES[path.extname(file).toLowerCase()] ?? 'application/octet-stream';
}

/**
 * Map a URL path to a file inside `root`, or null when it would escape the
 * root or names nothing. Directories resolve to their index.html, and
 * `/a/b` also tries `/a/b.html`.
 */
export function resolveSitePath(root: string, pathname: string): string | null {
  let decoded: string;
  try {
    decoded = decodeURIComponent(pathname);
  } catch {
    return null;
  }
  if (decoded.includes('\0') || decoded.includes('\\')) return null;
  const segments = decoded.split('/').filter((s) => s !== '' && s !== '.');
  if (segments.some((s) => s === '..')) return null;
  const rootResolved = path.resolve(root);
  const candidate = path.resolve(rootResolved, ...segments);
  if (candidate !== rootResolved && !candidate.startsWith(rootResolved + path.sep)) return null;
  const tries = [candidate, path.join(candidate, 'index.html'), candidate + '.html'];
  for (const t of tries) {
    try {
      const st = fs.statSync(t);
      if (st.isFile()) {
        // Refuse symlinks that point outside the site.
        const real = fs.realpathSync(t);
        const realRoot = fs.realpathSync(rootResolved);
        if (!real.startsWith(realRoot + path.sep)) return null;
        return t;
      }
    } catch {
      // try the next form
    }
  }
  return null;
}

export interface StaticSite {
  readonly available: boolean;
  serve(request: Request, url: URL): Response | null;
}

export function createStaticSite(root: string): StaticSite {
  const available = fs.existsSync(path.join(root, 'index.html'));
  const fileResponse = (file: string, status: number, head: boolean, immutable: boolean) => {
    const st = fs.statSync(file);
    const headers: Record<string, string> = {
      'content-type': contentTypeFor(file),
      'content-length': String(st.size),
      'last-modified': st.mtime.toUTCString(),
      'x-content-type-options': 'nosniff',
      'cache-control': immutable ? 'public, max-age=31536000, immutable' : 'no-cache',
    };
    if (head) return new Response(null, { status, headers });
    const body = Readable.toWeb(fs.createReadStream(file)) as unknown as ReadableStream<Uint8Array>;
    return new Response(body, { status, headers });
  };
  return {
    available,
    serve(request, url) {
      if (request.method !== 'GET' && request.method !== 'HEAD') return null;
      const head = request.method === 'HEAD';
      const file = available ? resolveSitePath(root, url.pathname) : null;
      if (file) return fileResponse(file, 200, head, url.pathname.startsWith('/_astro/'));
      const notFound = path.join(root, '404.html');
      if (available && fs.existsSync(notFound)) return fileResponse(notFound, 404, head, false);
      const text = available
        ? 'Not found'
        : 'The dashboard site is not built. Run `npm run build` (npm start builds it when missing).';
      return new Response(head ? null : text, { status: 404, headers: { 'content-type': 'text/plain; charset=utf-8' } });
    },
  };
}
