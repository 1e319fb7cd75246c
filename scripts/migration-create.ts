/**
 * Create a migration from the difference between the entities and the schema
 * the existing migrations build. Runs against a throw-away in-memory PGlite, so
 * it needs no server; then lists the new file in migrations/index.ts.
 *
 *   npm run migration:create [-- --name add_something] [-- --blank]
 */
import fs from 'node:fs';
import path from 'node:path';
import { openDatabase } from '../server/database';

const args = process.argv.slice(2);
const blank = args.includes('--blank');
const nameIdx = args.indexOf('--name');
const name = nameIdx >= 0 ? args[nameIdx + 1] : undefined;

const db = await openDatabase({ kind: 'memory' });
try {
  await db.migrate();
  const migrator = db.orm.getMigrator();
  const result = await migrator.createMigration(path.resolve('migrations'), blank, false, name);
  if (!result.fileName || (result.diff.up.length === 0 && !blank)) {
    console.log('No changes: entities and migrations agree.');
  } else {
    const className = path.basename(result.fileName, '.ts');
    const indexFile = path.resolve('migrations/index.ts');
    let index = fs.readFileSync(indexFile, 'utf8');
    index = index.replace(
      /(import type \{ MigrationObject \} from '@mikro-orm\/core';\n)/,
      `$1import { ${className} } from './${className}';\n`,
    );
    index = index.replace(
      /export const migrationsList: MigrationObject\[\] = \[([\s\S]*?)\];/,
      (_m, body: string) => {
        const items = body.trim() === '' ? [] : [body.trim().replace(/,$/, '')];
        items.push(`{ name: '${className}', class: ${className} }`);
        return `export const migrationsList: MigrationObject[] = [\n  ${items.join(',\n  ')},\n];`;
      },
    );
    fs.writeFileSync(indexFile, index);
    console.log(`Created migrations/${result.fileName}; review it before committing.`);
  }
} finally {
  await db.close();
}
