/** The last CVE re-scan tick of each tenant, shared by every replica (health and GraphQL read it). */
import { defineEntity, type InferEntity } from '@mikro-orm/core';

export const RescanStatusSchema = defineEntity({
  name: 'RescanStatus',
  tableName: 'rescan_status',
  properties: (p) => ({
    tenantId: p.string().length(64).primary(),
    lastTickAt: p.datetime().columnType('timestamptz'),
    finishedAt: p.datetime().columnType('timestamptz'),
    packagesScanned: p.integer(),
    alertsWritten: p.integer(),
    /** Packages whose OSV query failed in that tick. */
    failures: p.integer(),
    trigger: p.string().length(16),
  }),
});
export type RescanStatus = InferEntity<typeof RescanStatusSchema>;
