import { Migration } from '@mikro-orm/migrations';

export class Migration20261122010105_governance_rollups extends Migration {

  override async up(): Promise<void> {
    this.addSql(`create table "governance_rollup_hour" ("tenant_id" varchar(64) not null, "hour" timestamptz not null, "evaluations" bigint not null default 0, "executed" bigint not null default 0, "entered_review" bigint not null default 0, "approved" bigint not null default 0, "denied" bigint not null default 0, constraint "governance_rollup_hour_pkey" primary key ("tenant_id", "hour"));`);

    this.addSql(`create table "governance_violation_rollup_hour" ("tenant_id" varchar(64) not null, "hour" timestamptz not null, "dimension" varchar(8) not null, "key" varchar(200) not null, "severity" varchar(16) not null, "count" bigint not null default 0, constraint "governance_violation_rollup_hour_pkey" primary key ("tenant_id", "hour", "dimension", "key", "severity"));`);

    // Kept by a trigger on every audit insert, in the inserting transaction (so a rolled-back
    // decision leaves no count behind). Hours are whole UTC hours, whatever the session time zone.
    this.addSql(`create or replace function governance_rollup() returns trigger language plpgsql as $$
declare
  h timestamptz := to_timestamp(floor(extract(epoch from new.ts) / 3600) * 3600);
  is_eval boolean := new.kind in ('ACTION_EVALUATION', 'DEPENDENCY_EVALUATION');
  is_decision boolean := new.kind in ('ACTION_DECISION', 'APPROVAL_DECISION');
  n int;
begin
  if not (is_eval or is_decision) then
    return null;
  end if;
  insert into governance_rollup_hour as r (tenant_id, hour, evaluations, executed, entered_review, approved, denied)
  values (new.tenant_id, h,
    case when is_eval then 1 else 0 end,
    case when (is_eval and new.status in ('allowed', 'executed')) or (is_decision and new.status = 'approved') then 1 else 0 end,
    case when is_eval and new.status = 'pending_review' then 1 else 0 end,
    case when is_decision and new.status = 'approved' then 1 else 0 end,
    case when is_decision and new.status = 'denied' then 1 else 0 end)
  on conflict (tenant_id, hour) do update set
    evaluations = r.evaluations + excluded.evaluations,
    executed = r.executed + excluded.executed,
    entered_review = r.entered_review + excluded.entered_review,
    approved = r.approved + excluded.approved,
    denied = r.denied + excluded.denied;
  if is_eval and jsonb_typeof(new.violations) = 'array' and new.violations <> '[]'::jsonb then
    insert into governance_violation_rollup_hour as r (tenant_id, hour, dimension, key, severity, count)
    select new.tenant_id, h, 'policy', left(coalesce(v ->> 'policy', 'unknown'), 200), left(coalesce(v ->> 'severity', 'unknown'), 16), count(*)
    from jsonb_array_elements(new.violations) v group by 4, 5
    on conflict (tenant_id, hour, dimension, key, severity) do update set count = r.count + excluded.count;
    if new.agent_id is not null then
      n := jsonb_array_length(new.violations);
      insert into governance_violation_rollup_hour as r (tenant_id, hour, dimension, key, severity, count)
      values (new.tenant_id, h, 'agent', left(new.agent_id, 200), '', n)
      on conflict (tenant_id, hour, dimension, key, severity) do update set count = r.count + excluded.count;
    end if;
  end if;
  return null;
end $$;`);
    this.addSql(`create trigger audit_log_governance_rollup after insert on "audit_log" for each row execute function governance_rollup();`);

    // Backfill from the rows already in the log.
    this.addSql(`insert into governance_rollup_hour (tenant_id, hour, evaluations, executed, entered_review, approved, denied)
select tenant_id, to_timestamp(floor(extract(epoch from ts) / 3600) * 3600),
  count(*) filter (where kind in ('ACTION_EVALUATION', 'DEPENDENCY_EVALUATION')),
  count(*) filter (where (kind in ('ACTION_EVALUATION', 'DEPENDENCY_EVALUATION') and status in ('allowed', 'executed')) or (kind in ('ACTION_DECISION', 'APPROVAL_DECISION') and status = 'approved')),
  count(*) filter (where kind in ('ACTION_EVALUATION', 'DEPENDENCY_EVALUATION') and status = 'pending_review'),
  count(*) filter (where kind in ('ACTION_DECISION', 'APPROVAL_DECISION') and status = 'approved'),
  count(*) filter (where kind in ('ACTION_DECISION', 'APPROVAL_DECISION') and status = 'denied')
from audit_log where kind in ('ACTION_EVALUATION', 'DEPENDENCY_EVALUATION', 'ACTION_DECISION', 'APPROVAL_DECISION')
group by 1, 2;`);
    this.addSql(`insert into governance_violation_rollup_hour (tenant_id, hour, dimension, key, severity, count)
select a.tenant_id, to_timestamp(floor(extract(epoch from a.ts) / 3600) * 3600), 'policy',
  left(coalesce(v ->> 'policy', 'unknown'), 200), left(coalesce(v ->> 'severity', 'unknown'), 16), count(*)
from audit_log a cross join lateral jsonb_array_elements(a.violations) v
where a.kind in ('ACTION_EVALUATION', 'DEPENDENCY_EVALUATION') and jsonb_typeof(a.violations) = 'array' and a.violations <> '[]'::jsonb
group by 1, 2, 4, 5;`);
    this.addSql(`insert into governance_violation_rollup_hour (tenant_id, hour, dimension, key, severity, count)
select tenant_id, to_timestamp(floor(extract(epoch from ts) / 3600) * 3600), 'agent', left(agent_id, 200), '', sum(jsonb_array_length(violations))
from audit_log
where kind in ('ACTION_EVALUATION', 'DEPENDENCY_EVALUATION') and agent_id is not null and jsonb_typeof(violations) = 'array' and violations <> '[]'::jsonb
group by 1, 2, 4;`);
  }

  override async down(): Promise<void> {
    this.addSql(`drop trigger if exists audit_log_governance_rollup on "audit_log";`);
    this.addSql(`drop function if exists governance_rollup();`);
    this.addSql(`drop table if exists "governance_rollup_hour" cascade;`);

    this.addSql(`drop table if exists "governance_violation_rollup_hour" cascade;`);
  }

}
