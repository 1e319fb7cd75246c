import { Migration } from '@mikro-orm/migrations';

export class Migration20261122004608_governance extends Migration {

  override async up(): Promise<void> {
    this.addSql(`create table "action_policy" ("id" uuid not null, "tenant_id" varchar(64) not null, "name" varchar(64) not null, "agent_id" varchar(200) not null default '', "description" text null, "rules" jsonb not null, "step_types" jsonb not null, "whitelisted_domains" jsonb not null, "enabled" boolean not null default true, "version" int not null default 1, "created_at" timestamptz not null, "updated_at" timestamptz not null, constraint "action_policy_pkey" primary key ("id"));`);
    this.addSql(`alter table "action_policy" add constraint "action_policy_tenant_name_agent_unique" unique ("tenant_id", "name", "agent_id");`);

    this.addSql(`create table "agent_action" ("id" varchar(64) not null, "tenant_id" varchar(64) not null, "agent_id" varchar(200) null, "action" varchar(200) not null, "params" jsonb not null, "status" varchar(32) not null, "decision" jsonb not null, "message" text not null, "requester" varchar(200) not null, "submitted_at" timestamptz not null, "audit_seq" bigint not null, "decided_at" timestamptz null, "decided_by" varchar(200) null, "decision_reason" text null, constraint "agent_action_pkey" primary key ("id"));`);
    this.addSql(`create index "agent_action_tenant_status_seq_idx" on "agent_action" ("tenant_id", "status", "audit_seq");`);
    this.addSql(`create index "agent_action_tenant_seq_idx" on "agent_action" ("tenant_id", "audit_seq");`);

    // Governance reads of the audit log (hand-written: partial, covering and expression indexes).
    // Rows with violations (a minority), by agent, newest first: the per-agent violations list.
    this.addSql(`create index "audit_log_gov_agent_violations_idx" on "audit_log" ("tenant_id", "agent_id", "ts") where "violations" <> '[]'::jsonb;`);
    // An action's audit trail (submission, decision).
    this.addSql(`create index "audit_log_gov_action_id_idx" on "audit_log" ("tenant_id", ("details" ->> 'action_id'), "seq") where ("details" ->> 'action_id') is not null;`);
  }

  override async down(): Promise<void> {
    this.addSql(`drop index if exists "audit_log_gov_agent_violations_idx";`);
    this.addSql(`drop index if exists "audit_log_gov_action_id_idx";`);
    this.addSql(`drop table if exists "action_policy" cascade;`);

    this.addSql(`drop table if exists "agent_action" cascade;`);
  }

}
