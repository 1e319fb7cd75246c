/**
 * `tsx scripts/site-size.ts [--check]`: the JavaScript each page of the built
 * site (site/dist) loads, gzip-compressed, against the 60 kB budget of SPEC §10.
 * A page's JS is its module scripts and island components/renderers, plus
 * everything they import statically (followed through the chunks), plus
 * inline scripts. With --check the exit code is 1 when a page is over budget.
 */
import fs from 'node:fs';
import path from 'node:path';
import { gzipSync } from 'node:zlib';

export const BUDGET_GZIP_BYTES = 60 * 1024;

const root = path.resolve(import.meta.dirname, '..');
const dist = path.resolve(root, process.env.LEXGATE_SITE_DIR ?? 'site/dist');

function htmlPages(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) return e.name === '_astro' ? [] : htmlPages(p);
    return e.name.endsWith('.html') && e.name !== '404.html' ? [p] : [];
  });
}

/** The module and its static imports, transitively (paths under dist). */
function closure(entry: string, seen: Set<string>): void {
  if (seen.has(entry) || !fs.existsSync(entry)) return;
  seen.add(entry);
  const text = fs.readFileSync(entry, 'utf8');
  for (const m of text.matchAll(/(?:import|export)\s*(?:[^'"]*?from\s*)?["']([^"']+\.js)["']/g)) {
    closure(path.resolve(path.dirname(entry), m[1]), seen);
  }
}

export interface PageSize {
  page: string;
  files: number;
  rawBytes: number;
  gzipBytes: number;
}

export function measure(): PageSize[] {
  return htmlPages(dist)
    .map((file) => {
      const html = fs.readFileSync(file, 'utf8');
      const urls = [...html.matchAll(/(?:<script[^>]*\ssrc|component-url|renderer-url)="([^"]+\.js)"/g)].map((m) => m[1]);
      const files = new Set<string>();
      for (const u of urls) closure(path.join(dist, u.replace(/^\//, '')), files);
      const inline = [...html.matchAll(/<script(?![^>]*\ssrc=)[^>]*>([\s\S]*?)<\/script>/g)].map((m) => m[1]).filter((s) => s.trim() !== '');
      let raw = 0;
      let gz = 0;
      for (const f of files) {
        const b = fs.readFileSync(f);
        raw += b.length;
        gz += gzipSync(b).length;
      }
      for (const s of inline) {
        raw += Buffer.byteLength(s);
        gz += gzipSync(Buffer.from(s)).length;
      }
      const rel = '/' + path.relative(dist, file).replace(/index\.html$/, '').replace(/\/$/, '');
      return { page: rel === '/' ? '/' : rel, files: files.size, rawBytes: raw, gzipBytes: gz };
    })
    .sort((a, b) => a.page.localeCompare(b.page));
}

if (process.argv[1] && path.resolve(process.argv[1]) === path.resolve(import.meta.filename)) {
  if (!fs.existsSync(path.join(dist, 'index.html'))) {
    process.stderr.write(`${dist} has no index.html: run \`npm run build\` first\n`);
    process.exit(2);
  }
  const rows = measure();
  process.stdout.write('| Page | JS files | raw | gzip | budget used |\n|---|---:|---:|---:|---:|\n');
  for (const r of rows) {
    process.stdout.write(`| \`${r.page}\` | ${r.files} | ${(r.rawBytes / 1024).toFixed(1)} kB | ${(r.gzipBytes / 1024).toFixed(1)} kB | ${Math.round((100 * r.gzipBytes) / BUDGET_GZIP_BYTES)} % |\n`);
  }
  const over = rows.filter((r) => r.gzipBytes > BUDGET_GZIP_BYTES);
  if (process.argv.includes('--check') && over.length > 0) {
    process.stderr.write(`over the ${BUDGET_GZIP_BYTES}-byte gzip budget: ${over.map((r) => r.page).join(', ')}\n`);
    process.exit(1);
  }
}
