/**
 * Every migration, in order. MikroORM cannot import .ts migrations by glob
 * under vitest, so they are listed here. Migrations are never edited after
 * they land: add a new one (`npm run migration:create`).
 */
import type { MigrationObject } from '@mikro-orm/core';
import { Migration20261121232831_initial } from './Migration20261121232831_initial';
import { Migration20261121235359_evaluation } from './Migration20261121235359_evaluation';
import { Migration20261122004608_governance } from './Migration20261122004608_governance';
import { Migration20261122011048_reports } from './Migration20261122011048_reports';
import { Migration20261122012350_governance_rollups } from './Migration20261122012350_governance_rollups';
import { Migration20261122040512_expect } from './Migration20261122040512_expect';

export const migrationsList: MigrationObject[] = [
  { name: 'Migration20261121232831_initial', class: Migration20261121232831_initial },
  { name: 'Migration20261121235359_evaluation', class: Migration20261121235359_evaluation },
  { name: 'Migration20261122004608_governance', class: Migration20261122004608_governance },
  { name: 'Migration20261122011048_reports', class: Migration20261122011048_reports },
  { name: 'Migration20261122012350_governance_rollups', class: Migration20261122012350_governance_rollups },
  { name: 'Migration20261122040512_expect', class: Migration20261122040512_expect },
];
