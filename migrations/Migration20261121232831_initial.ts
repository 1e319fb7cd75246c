import { Migration } from '@mikro-orm/migrations';

export class Migration20261121232831_initial extends Migration {

  override async up(): Promise<void> {
    this.addSql(`create table "audit_chain_head" ("tenant_id" varchar(64) not null, "seq" bigint not null, "hash" varchar(64) not null, constraint "audit_chain_head_pkey" primary key ("tenant_id"));`);

    this.addSql(`create table "audit_log" ("id" uuid not null, "tenant_id" varchar(64) not null, "seq" bigint not null, "ts" timestamptz not null, "kind" varchar(48) not null, "action" varchar(200) not null, "project" varchar(200) null, "requester" varchar(200) not null, "agent_model" varchar(200) null, "agent_version" varchar(200) null, "agent_id" varchar(200) null, "ecosystem" varchar(32) null, "package" varchar(300) null, "normalized_name" varchar(300) null, "version" varchar(200) null, "resolved_version" varchar(200) null, "verdict" varchar(32) null, "status" varchar(32) null, "denial_category" varchar(32) not null default '', "reason" text null, "license" varchar(500) null, "cve_ids" text[] not null default '{}', "max_cvss" double precision null, "registry_status" varchar(32) null, "triggered_policy" varchar(200) null, "severity" varchar(16) null, "risk_score" double precision null, "violations" jsonb not null default '[]', "details" jsonb not null default '{}', "prev_hash" varchar(64) not null, "hash" varchar(64) not null, constraint "audit_log_pkey" primary key ("id"));`);
    this.addSql(`create index "audit_log_tenant_ts_idx" on "audit_log" ("tenant_id", "ts");`);
    this.addSql(`create index "audit_log_tenant_project_ts_idx" on "audit_log" ("tenant_id", "project", "ts");`);
    this.addSql(`create index "audit_log_tenant_category_verdict_idx" on "audit_log" ("tenant_id", "denial_category", "verdict");`);
    this.addSql(`create index "audit_log_tenant_agent_idx" on "audit_log" ("tenant_id", "agent_model", "agent_version");`);
    this.addSql(`create index "audit_log_tenant_agent_id_ts_idx" on "audit_log" ("tenant_id", "agent_id", "ts");`);
    this.addSql(`create index "audit_log_tenant_package_idx" on "audit_log" ("tenant_id", "normalized_name");`);
    this.addSql(`create index "audit_log_tenant_kind_ts_idx" on "audit_log" ("tenant_id", "kind", "ts");`);
    this.addSql(`alter table "audit_log" add constraint "audit_log_tenant_seq_unique" unique ("tenant_id", "seq");`);

    this.addSql(`create table "tenant" ("id" varchar(64) not null, "name" varchar(200) not null, "tier" varchar(16) not null, "created_at" timestamptz not null, constraint "tenant_pkey" primary key ("id"));`);

    // The audit log is append-only: updates are refused, and deletes only pass
    // when the session has declared itself the retention job.
    this.addSql(`create or replace function audit_log_append_only() returns trigger language plpgsql as $$
begin
  if tg_op = 'DELETE' and coalesce(current_setting('lexgate.retention', true), '') = 'on' then
    return old;
  end if;
  raise exception 'audit_log is append-only (% refused)', tg_op using errcode = 'insufficient_privilege';
end;
$$;`);
    this.addSql(`create trigger audit_log_append_only before update or delete on "audit_log" for each row execute function audit_log_append_only();`);

    // Single-user mode's tenant, and the start of its chain (64 zeros, as Novyx does).
    this.addSql(`insert into "tenant" ("id", "name", "tier", "created_at") values ('default', 'Default tenant', 'enterprise', now());`);
    this.addSql(`insert into "audit_chain_head" ("tenant_id", "seq", "hash") values ('default', 0, repeat('0', 64));`);
  }

  override async down(): Promise<void> {
    this.addSql(`drop trigger if exists audit_log_append_only on "audit_log";`);
    this.addSql(`drop function if exists audit_log_append_only();`);
    this.addSql(`drop table if exists "audit_chain_head" cascade;`);

    this.addSql(`drop table if exists "audit_log" cascade;`);

    this.addSql(`drop table if exists "tenant" cascade;`);
  }

}
