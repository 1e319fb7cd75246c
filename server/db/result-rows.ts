/**
 * Rows of an `em.execute(...)` answer. MikroORM inlines parameters into the
 * SQL text before it reaches the PGlite knex dialect, which treats any text
 * with more than one `;` -separated part as a multi-statement script and runs
 * it through `exec`: a parameter value containing `;` (a registry reason,
 * a reviewer's note) then yields `[[...rows]]` instead of `[...rows]`. The
 * statement itself ran correctly; only the shape differs.
 */
export function resultRows<T>(result: T[]): T[] {
  const nested = result as unknown[];
  return nested.length > 0 && Array.isArray(nested[0]) ? (nested as T[][]).flat() : result;
}
