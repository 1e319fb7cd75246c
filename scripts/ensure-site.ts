/**
 * Runs before `npm start`: build the dashboard site when site/dist is
 * missing, so a fresh clone needs only `npm install && npm start`.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

const root = path.resolve(import.meta.dirname, '..');
const siteDir = path.resolve(root, process.env.LEXGATE_SITE_DIR ?? 'site/dist');
if (!fs.existsSync(path.join(siteDir, 'index.html'))) {
  process.stdout.write(`The dashboard site is not built yet; building it into ${siteDir} (once)...\n`);
  const r = spawnSync(path.join(root, 'node_modules', '.bin', 'astro'), ['build', '--root', 'site', '--silent'], {
    cwd: root,
    stdio: 'inherit',
    env: { ...process.env, ASTRO_TELEMETRY_DISABLED: '1' },
  });
  if (r.status !== 0) {
    process.stderr.write('Building the site failed; the gateway starts anyway, without the dashboards.\n');
  }
}
