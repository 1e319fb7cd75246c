/**
 * lexgate's database: the connections of `db/` with every module's entity
 * schemas. Entry points (main, the operator commands, tests, benches) open it
 * here, so `db/` itself imports no module.
 */
import { openDatabaseOf, type Database, type DatabaseTarget } from './db/orm';
import { entities } from './entities';

export type { Database, DatabaseTarget } from './db/orm';

/** Open lexgate's database for a target; for `embedded` this takes the data directory's lock first. */
export function openDatabase(target: DatabaseTarget): Promise<Database> {
  return openDatabaseOf(target, entities);
}
