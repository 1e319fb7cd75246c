/**
 * Print the Pothos schema to schema.graphql (sorted), or with --check fail
 * when the committed file is stale.
 */
import fs from 'node:fs';
import path from 'node:path';
import { printedSchema } from '../server/graphql/schema';

const file = path.resolve('schema.graphql');
const printed = printedSchema();
if (process.argv.includes('--check')) {
  const current = fs.existsSync(file) ? fs.readFileSync(file, 'utf8') : '';
  if (current !== printed) {
    console.error('schema.graphql is stale: run `npm run schema:print` and commit the result.');
    process.exit(1);
  }
  console.log('schema.graphql is up to date.');
} else {
  fs.writeFileSync(file, printed);
  console.log(`wrote ${file}`);
}
