import { Migration } from '@mikro-orm/migrations';

/**
 * The upserts that fold audit rows of `source` (the trigger's transition table, or the whole
 * log for the backfill) into the rollups: the daily table (`audit_rollup_*`, keyed by UTC day)
 * or the all-time one (`audit_total_*`). Fixed text: this migration never changes.
 */
function rollupUpserts(source: string, daily: boolean): { report: string; cve: string } {
  const t = (name: string) => (daily ? `audit_rollup_${name}` : `audit_total_${name}`);
  const day = daily ? `(s.ts at time zone 'UTC')::date, ` : '';
  const dayCol = daily ? 'day, ' : '';
  const keys = (n: number) => Array.from({ length: n + (daily ? 1 : 0) }, (_, i) => i + 1).join(', ');
  const cveActivity = `s.kind = 'DEPENDENCY_EVALUATION' and (s.denial_category = 'cve' or (s.verdict = 'PROVISIONALLY_ALLOWED' and cardinality(s.cve_ids) > 0))`;
  const report = `
  insert into ${t('verdict')} as r (tenant_id, ${dayCol}project, license, verdict, denial_category, n)
  select s.tenant_id, ${day}coalesce(s.project, ''), coalesce(s.license, ''), coalesce(s.verdict, ''), s.denial_category, count(*)
  from ${source} s where s.kind in ('DEPENDENCY_EVALUATION', 'CVE_ALERT')
  group by ${keys(5)}
  on conflict (tenant_id, ${dayCol}project, license, verdict, denial_category) do update set n = r.n + excluded.n;

  insert into ${t('agent')} as r (tenant_id, ${dayCol}project, agent_model, agent_version, evaluations, denials, provisional, last_seen)
  select s.tenant_id, ${day}coalesce(s.project, ''), coalesce(s.agent_model, ''), coalesce(s.agent_version, ''),
    count(*), count(*) filter (where s.verdict = 'DENIED'), count(*) filter (where s.verdict = 'PROVISIONALLY_ALLOWED'), max(s.ts)
  from ${source} s where s.kind in ('DEPENDENCY_EVALUATION', 'CVE_ALERT')
  group by ${keys(4)}
  on conflict (tenant_id, ${dayCol}project, agent_model, agent_version) do update set
    evaluations = r.evaluations + excluded.evaluations, denials = r.denials + excluded.denials,
    provisional = r.provisional + excluded.provisional, last_seen = greatest(r.last_seen, excluded.last_seen);`;
  const cve = `
  insert into ${t('cve_package')} as r (tenant_id, ${dayCol}project, ecosystem, package, denials, provisional, max_cvss_denied, max_cvss_any,
    critical, high, medium, low, unknown, last_ts)
  select s.tenant_id, ${day}coalesce(s.project, ''), coalesce(s.ecosystem, ''), coalesce(s.normalized_name, s.package, ''),
    count(*) filter (where s.denial_category = 'cve'), count(*) filter (where s.denial_category <> 'cve'),
    max(s.max_cvss) filter (where s.denial_category = 'cve'), max(s.max_cvss),
    count(*) filter (where s.denial_category = 'cve' and s.max_cvss >= 9),
    count(*) filter (where s.denial_category = 'cve' and s.max_cvss >= 7 and s.max_cvss < 9),
    count(*) filter (where s.denial_category = 'cve' and s.max_cvss >= 4 and s.max_cvss < 7),
    count(*) filter (where s.denial_category = 'cve' and s.max_cvss > 0 and s.max_cvss < 4),
    count(*) filter (where s.denial_category = 'cve' and (s.max_cvss is null or s.max_cvss <= 0)),
    max(s.ts)
  from ${source} s where ${cveActivity}
  group by ${keys(4)}
  on conflict (tenant_id, ${dayCol}project, ecosystem, package) do update set
    denials = r.denials + excluded.denials, provisional = r.provisional + excluded.provisional,
    max_cvss_denied = greatest(r.max_cvss_denied, excluded.max_cvss_denied), max_cvss_any = greatest(r.max_cvss_any, excluded.max_cvss_any),
    critical = r.critical + excluded.critical, high = r.high + excluded.high, medium = r.medium + excluded.medium,
    low = r.low + excluded.low, unknown = r.unknown + excluded.unknown, last_ts = greatest(r.last_ts, excluded.last_ts);

  insert into ${t('cve')} as r (tenant_id, ${dayCol}project, cve_id, ecosystem, package, denials, provisional, max_cvss_denied, max_cvss_any)
  select s.tenant_id, ${day}coalesce(s.project, ''), c.cve_id, coalesce(s.ecosystem, ''), coalesce(s.normalized_name, s.package, ''),
    count(*) filter (where s.denial_category = 'cve'), count(*) filter (where s.denial_category <> 'cve'),
    max(s.max_cvss) filter (where s.denial_category = 'cve'), max(s.max_cvss)
  from ${source} s cross join lateral unnest(s.cve_ids) as c(cve_id)
  where ${cveActivity}
  group by ${keys(5)}
  on conflict (tenant_id, ${dayCol}project, cve_id, ecosystem, package) do update set
    denials = r.denials + excluded.denials, provisional = r.provisional + excluded.provisional,
    max_cvss_denied = greatest(r.max_cvss_denied, excluded.max_cvss_denied), max_cvss_any = greatest(r.max_cvss_any, excluded.max_cvss_any);`;
  return { report, cve };
}

const ROLLUP_TRIGGER_FUNCTION = `create or replace function audit_rollup_apply() returns trigger language plpgsql as $$
begin
  if not exists (select 1 from new_rows where kind in ('DEPENDENCY_EVALUATION', 'CVE_ALERT')) then
    return null;
  end if;
  ${rollupUpserts('new_rows', true).report}
  ${rollupUpserts('new_rows', false).report}
  if exists (select 1 from new_rows s where s.kind = 'DEPENDENCY_EVALUATION' and (s.denial_category = 'cve' or (s.verdict = 'PROVISIONALLY_ALLOWED' and cardinality(s.cve_ids) > 0))) then
    ${rollupUpserts('new_rows', true).cve}
    ${rollupUpserts('new_rows', false).cve}
  end if;
  return null;
end
$$;`;

const BACKFILL = `do $$ begin
  ${rollupUpserts('audit_log', true).report}
  ${rollupUpserts('audit_log', false).report}
  ${rollupUpserts('audit_log', true).cve}
  ${rollupUpserts('audit_log', false).cve}
end $$;`;

export class Migration20261122011048_reports extends Migration {

  override async up(): Promise<void> {
    this.addSql(`create table "audit_rollup_agent" ("tenant_id" varchar(64) not null, "day" date not null, "project" varchar(200) not null, "agent_model" varchar(200) not null, "agent_version" varchar(200) not null, "evaluations" bigint not null, "denials" bigint not null, "provisional" bigint not null, "last_seen" timestamptz not null, constraint "audit_rollup_agent_pkey" primary key ("tenant_id", "day", "project", "agent_model", "agent_version"));`);

    this.addSql(`create table "audit_rollup_cve" ("tenant_id" varchar(64) not null, "day" date not null, "project" varchar(200) not null, "cve_id" varchar(200) not null, "ecosystem" varchar(32) not null, "package" varchar(300) not null, "denials" bigint not null, "provisional" bigint not null, "max_cvss_denied" double precision null, "max_cvss_any" double precision null, constraint "audit_rollup_cve_pkey" primary key ("tenant_id", "day", "project", "cve_id", "ecosystem", "package"));`);
    this.addSql(`create index "audit_rollup_cve_package_day_idx" on "audit_rollup_cve" ("tenant_id", "ecosystem", "package", "day");`);

    this.addSql(`create table "audit_rollup_cve_package" ("tenant_id" varchar(64) not null, "day" date not null, "project" varchar(200) not null, "ecosystem" varchar(32) not null, "package" varchar(300) not null, "denials" bigint not null, "provisional" bigint not null, "max_cvss_denied" double precision null, "max_cvss_any" double precision null, "critical" bigint not null, "high" bigint not null, "medium" bigint not null, "low" bigint not null, "unknown" bigint not null, "last_ts" timestamptz not null, constraint "audit_rollup_cve_package_pkey" primary key ("tenant_id", "day", "project", "ecosystem", "package"));`);
    this.addSql(`create index "audit_rollup_cve_package_package_day_idx" on "audit_rollup_cve_package" ("tenant_id", "ecosystem", "package", "day");`);

    this.addSql(`create table "audit_rollup_verdict" ("tenant_id" varchar(64) not null, "day" date not null, "project" varchar(200) not null, "license" varchar(500) not null, "verdict" varchar(32) not null, "denial_category" varchar(32) not null, "n" bigint not null, constraint "audit_rollup_verdict_pkey" primary key ("tenant_id", "day", "project", "license", "verdict", "denial_category"));`);

    this.addSql(`create table "audit_total_agent" ("tenant_id" varchar(64) not null, "project" varchar(200) not null, "agent_model" varchar(200) not null, "agent_version" varchar(200) not null, "evaluations" bigint not null, "denials" bigint not null, "provisional" bigint not null, "last_seen" timestamptz not null, constraint "audit_total_agent_pkey" primary key ("tenant_id", "project", "agent_model", "agent_version"));`);

    this.addSql(`create table "audit_total_cve" ("tenant_id" varchar(64) not null, "project" varchar(200) not null, "cve_id" varchar(200) not null, "ecosystem" varchar(32) not null, "package" varchar(300) not null, "denials" bigint not null, "provisional" bigint not null, "max_cvss_denied" double precision null, "max_cvss_any" double precision null, constraint "audit_total_cve_pkey" primary key ("tenant_id", "project", "cve_id", "ecosystem", "package"));`);

    this.addSql(`create table "audit_total_cve_package" ("tenant_id" varchar(64) not null, "project" varchar(200) not null, "ecosystem" varchar(32) not null, "package" varchar(300) not null, "denials" bigint not null, "provisional" bigint not null, "max_cvss_denied" double precision null, "max_cvss_any" double precision null, "critical" bigint not null, "high" bigint not null, "medium" bigint not null, "low" bigint not null, "unknown" bigint not null, "last_ts" timestamptz not null, constraint "audit_total_cve_package_pkey" primary key ("tenant_id", "project", "ecosystem", "package"));`);

    this.addSql(`create table "audit_total_verdict" ("tenant_id" varchar(64) not null, "project" varchar(200) not null, "license" varchar(500) not null, "verdict" varchar(32) not null, "denial_category" varchar(32) not null, "n" bigint not null, constraint "audit_total_verdict_pkey" primary key ("tenant_id", "project", "license", "verdict", "denial_category"));`);

    this.addSql(`create table "rescan_status" ("tenant_id" varchar(64) not null, "last_tick_at" timestamptz not null, "finished_at" timestamptz not null, "packages_scanned" int not null, "alerts_written" int not null, "failures" int not null, "trigger" varchar(16) not null, constraint "rescan_status_pkey" primary key ("tenant_id"));`);

    this.addSql(`create index "audit_log_denials_ts_idx" on "audit_log" ("tenant_id", "denial_category", "ts", "seq") where denial_category <> '';`);
    this.addSql(`create index "audit_log_denials_project_ts_idx" on "audit_log" ("tenant_id", "project", "denial_category", "ts", "seq") where denial_category <> '';`);
    this.addSql(`create index "audit_log_cve_activity_ts_idx" on "audit_log" ("tenant_id", "ts") where kind = 'DEPENDENCY_EVALUATION' and (denial_category = 'cve' or (verdict = 'PROVISIONALLY_ALLOWED' and cardinality(cve_ids) > 0));`);

    // The rollups are maintained by PostgreSQL: one statement-level trigger per INSERT statement
    // aggregates the statement's rows (transition table new_rows) and upserts them, in the
    // appending transaction. Rows of one tenant are appended under its chain-head lock, so the
    // upserted rollup rows (keyed by tenant) add no new lock contention.
    this.addSql(ROLLUP_TRIGGER_FUNCTION);
    this.addSql(`create trigger audit_log_rollup after insert on "audit_log" referencing new table as new_rows for each statement execute function audit_rollup_apply();`);
    // Rows appended before this migration.
    this.addSql(BACKFILL);
  }

  override async down(): Promise<void> {
    this.addSql(`drop trigger if exists audit_log_rollup on "audit_log";`);
    this.addSql(`drop function if exists audit_rollup_apply();`);
    this.addSql(`drop table if exists "audit_rollup_agent" cascade;`);

    this.addSql(`drop table if exists "audit_rollup_cve" cascade;`);

    this.addSql(`drop table if exists "audit_rollup_cve_package" cascade;`);

    this.addSql(`drop table if exists "audit_rollup_verdict" cascade;`);

    this.addSql(`drop table if exists "audit_total_agent" cascade;`);

    this.addSql(`drop table if exists "audit_total_cve" cascade;`);

    this.addSql(`drop table if exists "audit_total_cve_package" cascade;`);

    this.addSql(`drop table if exists "audit_total_verdict" cascade;`);

    this.addSql(`drop table if exists "rescan_status" cascade;`);

    this.addSql(`drop index "audit_log_denials_ts_idx";`);
    this.addSql(`drop index "audit_log_denials_project_ts_idx";`);
    this.addSql(`drop index "audit_log_cve_activity_ts_idx";`);
  }

}
