/**
 * Rows of an `em.execute(...)` answer. MikroORM inlines parameters into the
 * SQL text before it reaches the PGlite knex dialect, which treats any text
 * with more than one `;` -separated part as a multi-statement script and runs
 * it through `exec`: a parameter value containing `;` (a registry reason,
 * a reviewer's note) then yields `[[...rows]]` instead of `[...rows]`. The
 * statement itself ran correctly; only the shape differs.
 */
export function resultRows<T>(result: T[] | T[][]): T[] {
  return result.length > 0 && Array.isArray(result[0]) ? (result as T[][]).flat() : (result as T[]);
}
