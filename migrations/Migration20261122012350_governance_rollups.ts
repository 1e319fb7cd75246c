import { Migration } from '@mikro-orm/migrations';

const EVALS = `('ACTION_EVALUATION', 'DEPENDENCY_EVALUATION')`;
const DECISIONS = `('ACTION_DECISION', 'APPROVAL_DECISION')`;
const GRAINS = `(values ('h', 3600), ('d', 86400)) as g(grain, secs)`;

/** The upserts that fold the audit rows of `source` (the trigger's transition table, or the whole log) into the rollups. */
function foldInto(source: string): string[] {
  return [
    `insert into governance_rollup_hour as r (tenant_id, hour, evaluations, executed, entered_review, approved, denied)
  select tenant_id, to_timestamp(floor(extract(epoch from ts) / 3600) * 3600),
    count(*) filter (where kind in ${EVALS}),
    count(*) filter (where (kind in ${EVALS} and status in ('allowed', 'executed')) or (kind in ${DECISIONS} and status = 'approved')),
    count(*) filter (where kind in ${EVALS} and status = 'pending_review'),
    count(*) filter (where kind in ${DECISIONS} and status = 'approved'),
    count(*) filter (where kind in ${DECISIONS} and status = 'denied')
  from ${source} where kind in ('ACTION_EVALUATION', 'DEPENDENCY_EVALUATION', 'ACTION_DECISION', 'APPROVAL_DECISION')
  group by 1, 2
  on conflict (tenant_id, hour) do update set
    evaluations = r.evaluations + excluded.evaluations,
    executed = r.executed + excluded.executed,
    entered_review = r.entered_review + excluded.entered_review,
    approved = r.approved + excluded.approved,
    denied = r.denied + excluded.denied`,
    `insert into governance_violation_rollup as r (tenant_id, grain, bucket, dimension, key, severity, count)
  select a.tenant_id, g.grain, to_timestamp(floor(extract(epoch from a.ts) / g.secs) * g.secs), 'policy',
    left(coalesce(v ->> 'policy', 'unknown'), 200), left(coalesce(v ->> 'severity', 'unknown'), 16), count(*)
  from ${source} a cross join lateral jsonb_array_elements(a.violations) v cross join ${GRAINS}
  where a.kind in ${EVALS} and jsonb_typeof(a.violations) = 'array' and a.violations <> '[]'::jsonb
  group by 1, 2, 3, 5, 6
  on conflict (tenant_id, grain, bucket, dimension, key, severity) do update set count = r.count + excluded.count`,
    `insert into governance_violation_rollup as r (tenant_id, grain, bucket, dimension, key, severity, count)
  select a.tenant_id, g.grain, to_timestamp(floor(extract(epoch from a.ts) / g.secs) * g.secs), 'agent', left(a.agent_id, 200), '', sum(jsonb_array_length(a.violations))
  from ${source} a cross join ${GRAINS}
  where a.kind in ${EVALS} and a.agent_id is not null and jsonb_typeof(a.violations) = 'array' and a.violations <> '[]'::jsonb
  group by 1, 2, 3, 5
  on conflict (tenant_id, grain, bucket, dimension, key, severity) do update set count = r.count + excluded.count`,
  ];
}

export class Migration20261122012350_governance_rollups extends Migration {

  override async up(): Promise<void> {
    this.addSql(`create table "governance_rollup_hour" ("tenant_id" varchar(64) not null, "hour" timestamptz not null, "evaluations" bigint not null default 0, "executed" bigint not null default 0, "entered_review" bigint not null default 0, "approved" bigint not null default 0, "denied" bigint not null default 0, constraint "governance_rollup_hour_pkey" primary key ("tenant_id", "hour"));`);

    this.addSql(`create table "governance_violation_rollup" ("tenant_id" varchar(64) not null, "grain" varchar(1) not null, "bucket" timestamptz not null, "dimension" varchar(8) not null, "key" varchar(200) not null, "severity" varchar(16) not null, "count" bigint not null default 0, constraint "governance_violation_rollup_pkey" primary key ("tenant_id", "grain", "bucket", "dimension", "key", "severity"));`);

    // Kept by a statement-level trigger on audit inserts, in the inserting transaction (so a
    // rolled-back decision leaves no count behind): one batch of audit rows (one INSERT) costs
    // three grouped upserts, not a few per row. Buckets are whole UTC hours / days, whatever the
    // session time zone. The same statements over the whole log are the backfill.
    this.addSql(`create or replace function governance_rollup() returns trigger language plpgsql as $$
begin
${foldInto('new_rows').map((q) => `  ${q};`).join('\n')}
  return null;
end $$;`);
    this.addSql(`create trigger audit_log_governance_rollup after insert on "audit_log" referencing new table as new_rows for each statement execute function governance_rollup();`);

    // Backfill from the rows already in the log.
    for (const q of foldInto('audit_log')) this.addSql(`${q};`);
  }

  override async down(): Promise<void> {
    this.addSql(`drop trigger if exists audit_log_governance_rollup on "audit_log";`);
    this.addSql(`drop function if exists governance_rollup();`);
    this.addSql(`drop table if exists "governance_rollup_hour" cascade;`);

    this.addSql(`drop table if exists "governance_violation_rollup" cascade;`);
  }

}
