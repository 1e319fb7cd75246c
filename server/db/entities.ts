/** Every entity schema, in one list for the ORM and the schema-drift test. */
import { AuditChainHeadSchema, AuditEntrySchema } from '../modules/audit/audit-entry.entity';
import { TenantSchema } from '../modules/tenants/tenant.entity';

export const entities = [TenantSchema, AuditEntrySchema, AuditChainHeadSchema];
