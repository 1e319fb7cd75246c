/**
 * Rollups of the audit log that the reports read instead of scanning
 * millions of rows. They are maintained by PostgreSQL itself: a statement-level
 * AFTER INSERT trigger on `audit_log` (transition table `new_rows`) aggregates
 * each INSERT statement's rows and upserts them here, in the same transaction
 * as the append, so a rollup is exact whenever the rows it counts are visible.
 *
 * Only report rows are rolled up (kinds DEPENDENCY_EVALUATION and CVE_ALERT).
 * Keys cannot be NULL in a primary key, so a missing project, license, verdict
 * or agent is stored as '' (none of them is ever '' in a real row: blank
 * values are stored as NULL).
 */
import { defineEntity, type InferEntity } from '@mikro-orm/core';

/** Rows per (day, project, license, verdict, denial category): legal report, totals, top projects. */
export const AuditRollupVerdictSchema = defineEntity({
  name: 'AuditRollupVerdict',
  tableName: 'audit_rollup_verdict',
  properties: (p) => ({
    tenantId: p.string().length(64).primary(),
    day: p.date().columnType('date').primary(),
    project: p.string().length(200).primary(),
    license: p.string().length(500).primary(),
    verdict: p.string().length(32).primary(),
    denialCategory: p.string().length(32).primary(),
    n: p.bigint('number'),
  }),
});
export type AuditRollupVerdict = InferEntity<typeof AuditRollupVerdictSchema>;

/** Rows per (day, project, agent model, agent version): agents and projects reports. */
export const AuditRollupAgentSchema = defineEntity({
  name: 'AuditRollupAgent',
  tableName: 'audit_rollup_agent',
  properties: (p) => ({
    tenantId: p.string().length(64).primary(),
    day: p.date().columnType('date').primary(),
    project: p.string().length(200).primary(),
    agentModel: p.string().length(200).primary(),
    agentVersion: p.string().length(200).primary(),
    evaluations: p.bigint('number'),
    denials: p.bigint('number'),
    provisional: p.bigint('number'),
    lastSeen: p.datetime().columnType('timestamptz'),
  }),
});
export type AuditRollupAgent = InferEntity<typeof AuditRollupAgentSchema>;

/**
 * CVE activity per (day, project, package): CVE denials (with their severity
 * buckets and highest CVSS) and CVE-flagged provisional answers (provisional
 * with advisories below the threshold). Security report: severity, top
 * packages, hot registry packages.
 */
export const AuditRollupCvePackageSchema = defineEntity({
  name: 'AuditRollupCvePackage',
  tableName: 'audit_rollup_cve_package',
  properties: (p) => ({
    tenantId: p.string().length(64).primary(),
    day: p.date().columnType('date').primary(),
    project: p.string().length(200).primary(),
    ecosystem: p.string().length(32).primary(),
    package: p.string().length(300).primary(),
    denials: p.bigint('number'),
    provisional: p.bigint('number'),
    maxCvssDenied: p.double().nullable(),
    maxCvssAny: p.double().nullable(),
    critical: p.bigint('number'),
    high: p.bigint('number'),
    medium: p.bigint('number'),
    low: p.bigint('number'),
    unknown: p.bigint('number'),
    lastTs: p.datetime().columnType('timestamptz'),
  }),
  indexes: [{ name: 'audit_rollup_cve_package_package_day_idx', properties: ['tenantId', 'ecosystem', 'package', 'day'] }],
});
export type AuditRollupCvePackage = InferEntity<typeof AuditRollupCvePackageSchema>;

/** The same rows per advisory id: top CVEs, and the advisory ids of each package. */
export const AuditRollupCveSchema = defineEntity({
  name: 'AuditRollupCve',
  tableName: 'audit_rollup_cve',
  properties: (p) => ({
    tenantId: p.string().length(64).primary(),
    day: p.date().columnType('date').primary(),
    project: p.string().length(200).primary(),
    cveId: p.string().length(200).primary(),
    ecosystem: p.string().length(32).primary(),
    package: p.string().length(300).primary(),
    denials: p.bigint('number'),
    provisional: p.bigint('number'),
    maxCvssDenied: p.double().nullable(),
    maxCvssAny: p.double().nullable(),
  }),
  indexes: [{ name: 'audit_rollup_cve_package_day_idx', properties: ['tenantId', 'ecosystem', 'package', 'day'] }],
});
export type AuditRollupCve = InferEntity<typeof AuditRollupCveSchema>;


/** All-time twins of the daily rollups (same columns without `day`). */
export const AuditTotalVerdictSchema = defineEntity({
  name: 'AuditTotalVerdict',
  tableName: 'audit_total_verdict',
  properties: (p) => ({
    tenantId: p.string().length(64).primary(),
    project: p.string().length(200).primary(),
    license: p.string().length(500).primary(),
    verdict: p.string().length(32).primary(),
    denialCategory: p.string().length(32).primary(),
    n: p.bigint('number'),
  }),
});

export const AuditTotalAgentSchema = defineEntity({
  name: 'AuditTotalAgent',
  tableName: 'audit_total_agent',
  properties: (p) => ({
    tenantId: p.string().length(64).primary(),
    project: p.string().length(200).primary(),
    agentModel: p.string().length(200).primary(),
    agentVersion: p.string().length(200).primary(),
    evaluations: p.bigint('number'),
    denials: p.bigint('number'),
    provisional: p.bigint('number'),
    lastSeen: p.datetime().columnType('timestamptz'),
  }),
});

export const AuditTotalCvePackageSchema = defineEntity({
  name: 'AuditTotalCvePackage',
  tableName: 'audit_total_cve_package',
  properties: (p) => ({
    tenantId: p.string().length(64).primary(),
    project: p.string().length(200).primary(),
    ecosystem: p.string().length(32).primary(),
    package: p.string().length(300).primary(),
    denials: p.bigint('number'),
    provisional: p.bigint('number'),
    maxCvssDenied: p.double().nullable(),
    maxCvssAny: p.double().nullable(),
    critical: p.bigint('number'),
    high: p.bigint('number'),
    medium: p.bigint('number'),
    low: p.bigint('number'),
    unknown: p.bigint('number'),
    lastTs: p.datetime().columnType('timestamptz'),
  }),
});

export const AuditTotalCveSchema = defineEntity({
  name: 'AuditTotalCve',
  tableName: 'audit_total_cve',
  properties: (p) => ({
    tenantId: p.string().length(64).primary(),
    project: p.string().length(200).primary(),
    cveId: p.string().length(200).primary(),
    ecosystem: p.string().length(32).primary(),
    package: p.string().length(300).primary(),
    denials: p.bigint('number'),
    provisional: p.bigint('number'),
    maxCvssDenied: p.double().nullable(),
    maxCvssAny: p.double().nullable(),
  }),
});
