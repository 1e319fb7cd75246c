import { Migration } from '@mikro-orm/migrations';

export class Migration20261121235359_evaluation extends Migration {

  override async up(): Promise<void> {
    this.addSql(`create table "approval_request" ("id" uuid not null, "tenant_id" varchar(64) not null, "project" varchar(200) not null, "requester" varchar(200) not null, "ecosystem" varchar(32) not null, "package" varchar(300) not null, "normalized_name" varchar(300) not null, "version" varchar(200) null, "rationale" text not null, "status" varchar(32) not null, "source" varchar(16) not null, "agent_model" varchar(200) null, "agent_version" varchar(200) null, "request_count" int not null default 1, "created_at" timestamptz not null, "updated_at" timestamptz not null, "decided_at" timestamptz null, "decided_by" varchar(200) null, "decision_reason" text null, "last_audit_id" uuid null, "history" jsonb not null default '[]', constraint "approval_request_pkey" primary key ("id"));`);
    this.addSql(`create index "approval_request_tenant_status_idx" on "approval_request" ("tenant_id", "status");`);
    this.addSql(`create index "approval_request_tenant_name_idx" on "approval_request" ("tenant_id", "normalized_name");`);
    this.addSql(`alter table "approval_request" add constraint "approval_request_dedupe_unique" unique ("tenant_id", "project", "ecosystem", "normalized_name", "requester");`);

    this.addSql(`create table "registry_revision" ("id" uuid not null, "tenant_id" varchar(64) not null, "revision" int not null, "version" varchar(200) not null, "yaml" text not null, "sha256" varchar(64) not null, "source" varchar(32) not null, "author" varchar(200) not null, "package_count" int not null, "created_at" timestamptz not null, constraint "registry_revision_pkey" primary key ("id"));`);
    this.addSql(`create index "registry_revision_tenant_sha_idx" on "registry_revision" ("tenant_id", "sha256");`);
    this.addSql(`alter table "registry_revision" add constraint "registry_revision_tenant_revision_unique" unique ("tenant_id", "revision");`);

    this.addSql(`create table "upstream_cache" ("key" varchar(600) not null, "source" varchar(32) not null, "value" jsonb not null, "fetched_at" timestamptz not null, "expires_at" timestamptz not null, constraint "upstream_cache_pkey" primary key ("key"));`);
    this.addSql(`create index "upstream_cache_expires_at_idx" on "upstream_cache" ("expires_at");`);
  }

  override async down(): Promise<void> {
    this.addSql(`drop table if exists "approval_request" cascade;`);

    this.addSql(`drop table if exists "registry_revision" cascade;`);

    this.addSql(`drop table if exists "upstream_cache" cascade;`);
  }

}
