/**
 * Fail when the committed codegen output (site/src/gql/) is stale: run the
 * same codegen config into a temporary directory and compare file by file.
 * The committed files are only read, never written.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { generate } from '@graphql-codegen/cli';
import config, { GQL_OUTPUT_DIR } from '../codegen';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const committedDir = path.join(root, GQL_OUTPUT_DIR);

/** Relative paths of every file under `dir` (empty when it does not exist), sorted. */
function listFiles(dir: string): string[] {
  if (!fs.existsSync(dir)) return [];
  const out: string[] = [];
  const walk = (sub: string) => {
    for (const entry of fs.readdirSync(path.join(dir, sub), { withFileTypes: true })) {
      const rel = path.join(sub, entry.name);
      if (entry.isDirectory()) walk(rel);
      else out.push(rel);
    }
  };
  walk('');
  return out.sort();
}

async function main(): Promise<number> {
  const target = config.generates[GQL_OUTPUT_DIR];
  if (!target) throw new Error(`codegen.ts has no output for ${GQL_OUTPUT_DIR}`);
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'lexgate-codegen-'));
  try {
    // Same schema, documents and plugin config; only the output folder moves.
    // The preset needs the trailing slash to treat the key as a directory.
    const freshDir = `${tmp}${path.sep}`;
    await generate({ ...config, cwd: root, silent: true, generates: { [freshDir]: target } }, true);

    const committed = new Set(listFiles(committedDir));
    const fresh = new Set(listFiles(tmp));
    const problems: string[] = [];
    for (const f of fresh) {
      if (!committed.has(f)) problems.push(`missing: ${GQL_OUTPUT_DIR}${f}`);
      else if (fs.readFileSync(path.join(tmp, f), 'utf8') !== fs.readFileSync(path.join(committedDir, f), 'utf8')) {
        problems.push(`differs: ${GQL_OUTPUT_DIR}${f}`);
      }
    }
    for (const f of committed) if (!fresh.has(f)) problems.push(`not generated any more: ${GQL_OUTPUT_DIR}${f}`);

    if (problems.length > 0) {
      console.error(`${GQL_OUTPUT_DIR} is stale (schema.graphql or a GraphQL document in site/src changed):`);
      for (const p of problems) console.error(`  - ${p}`);
      console.error('Run `npm run codegen` and commit the result.');
      return 1;
    }
    console.log(`${GQL_OUTPUT_DIR} is up to date (${fresh.size} files).`);
    return 0;
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    // A document that no longer validates against the schema lands here.
    console.error('codegen failed:', err instanceof Error ? err.message : err);
    process.exit(1);
  },
);
