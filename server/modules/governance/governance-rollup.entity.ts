/**
 * Hourly rollups of the audit log for the governance dashboard, kept by a
 * trigger on every audit insert (migration ..._governance_rollups), so a 30-day
 * dashboard sums at most 720 rows per tenant instead of scanning millions of
 * audit rows (SPEC §11). Derived data only: the audit log stays the source of
 * truth and the migration backfills these from it.
 */
import { defineEntity, type InferEntity } from '@mikro-orm/core';

/** Counts per tenant and UTC hour (evaluation and decision rows). */
export const GovernanceRollupHourSchema = defineEntity({
  name: 'GovernanceRollupHour',
  tableName: 'governance_rollup_hour',
  properties: (p) => ({
    tenantId: p.string().length(64).primary(),
    hour: p.datetime().columnType('timestamptz').primary(),
    evaluations: p.bigint('number').default(0),
    executed: p.bigint('number').default(0),
    enteredReview: p.bigint('number').default(0),
    approved: p.bigint('number').default(0),
    denied: p.bigint('number').default(0),
  }),
});

export type GovernanceRollupHour = InferEntity<typeof GovernanceRollupHourSchema>;

/**
 * Violations per tenant and UTC hour or day (`grain` 'h' or 'd'; `bucket` is
 * its start), along two dimensions: `policy` (key = policy name, with its
 * severity) and `agent` (key = agent id, severity ''). Day rows let the 7- and
 * 30-day windows sum 7 or 30 buckets instead of 168 or 720.
 */
export const GovernanceViolationRollupSchema = defineEntity({
  name: 'GovernanceViolationRollup',
  tableName: 'governance_violation_rollup',
  properties: (p) => ({
    tenantId: p.string().length(64).primary(),
    grain: p.string().length(1).primary(),
    bucket: p.datetime().columnType('timestamptz').primary(),
    dimension: p.string().length(8).primary(),
    key: p.string().length(200).primary(),
    severity: p.string().length(16).primary(),
    count: p.bigint('number').default(0),
  }),
});

export type GovernanceViolationRollup = InferEntity<typeof GovernanceViolationRollupSchema>;
