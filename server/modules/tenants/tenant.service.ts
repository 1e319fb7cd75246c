/**
 * Tenants: the tier decides what the governance features allow. Single-user
 * mode has one tenant, `default` (enterprise); more are created here, each
 * with the genesis of its own audit chain and a first audit row.
 */
import type { EntityManager } from '@mikro-orm/postgresql';
import type { Database } from '../../db/orm';
import type { Clock } from '../../shared/clock';
import { DomainError, ValidationError } from '../../shared/errors';
import type { AuditService } from '../audit/audit.service';
import { GENESIS_HASH } from '../audit/audit-hash';
import { TENANT_TIERS, type TenantTier } from './tenant.entity';

export interface TenantRecord {
  id: string;
  name: string;
  tier: TenantTier;
  createdAt: Date;
}

export const TENANT_ID_RE = /^[a-z0-9][a-z0-9_-]{0,63}$/;

type Row = Record<string, unknown>;
const toRecord = (r: Row): TenantRecord => ({
  id: String(r.id),
  name: String(r.name),
  tier: r.tier as TenantTier,
  createdAt: r.created_at instanceof Date ? r.created_at : new Date(String(r.created_at)),
});

export class TenantService {
  constructor(
    private readonly db: Database,
    private readonly audit: AuditService,
    private readonly clock: Clock,
  ) {}

  /** The tenant, or a 404 naming it. */
  async get(em: EntityManager, id: string): Promise<TenantRecord> {
    const rows = await em.execute<Row[]>(`select id, name, tier, created_at from tenant where id = ?`, [id]);
    if (rows.length === 0) throw new DomainError('not_found', `unknown tenant "${id}"`, 'tenant');
    return toRecord(rows[0]);
  }

  /**
   * Create a tenant with its own (empty) audit chain.
   * @throws ValidationError naming `id`, `name` or `tier`; DomainError conflict when the id is taken
   */
  async create(input: { id: string; name?: string | null; tier: string }, requester: string): Promise<TenantRecord> {
    const id = input.id.trim();
    if (!TENANT_ID_RE.test(id)) throw new ValidationError('id must be 1-64 characters of a-z, 0-9, _ and -, starting with a letter or digit', 'id');
    const name = (input.name ?? id).trim();
    if (name === '' || name.length > 200) throw new ValidationError('name must be 1-200 characters', 'name');
    const tier = input.tier.trim().toLowerCase();
    if (!(TENANT_TIERS as readonly string[]).includes(tier)) throw new ValidationError(`tier must be one of ${TENANT_TIERS.join(', ')}`, 'tier');
    const now = this.clock.now();
    return this.db.em().transactional(async (tx) => {
      const em = tx as EntityManager;
      const inserted = await em.execute<Row[]>(
        `insert into tenant (id, name, tier, created_at) values (?, ?, ?, ?) on conflict (id) do nothing returning id, name, tier, created_at`,
        [id, name, tier, now],
      );
      if (inserted.length === 0) throw new DomainError('conflict', `tenant "${id}" already exists`, 'id');
      await em.execute(`insert into audit_chain_head (tenant_id, seq, hash) values (?, 0, ?)`, [id, GENESIS_HASH], 'run');
      await this.audit.append(em, {
        tenantId: id,
        kind: 'SYSTEM',
        action: 'tenant.create',
        requester,
        reason: `Tenant ${id} created on the ${tier} tier.`,
        details: { tenant_id: id, name, tier },
      });
      return toRecord(inserted[0]);
    });
  }
}
