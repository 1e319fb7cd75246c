import { describe, expect, it } from 'vitest';
import { dbKinds, freshDatabase } from './support/databases';

describe.each(dbKinds())('migrations on %s', (kind) => {
  it('build exactly the schema the entities describe', async () => {
    const tdb = await freshDatabase(kind);
    try {
      const diff = await tdb.db.orm.getSchemaGenerator().getUpdateSchemaSQL({ wrap: false, safe: false, dropTables: true });
      expect(diff.trim(), `entities and migrations disagree; run npm run migration:create:\n${diff}`).toBe('');
      const pending = await tdb.db.orm.getMigrator().getPendingMigrations();
      expect(pending).toEqual([]);
    } finally {
      await tdb.drop();
    }
  });
});
