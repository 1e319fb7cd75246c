/**
 * What each tier may do (Novyx's plan table): the governance dashboard is
 * Starter+, custom policies are limited per tier, agent-scoped policies are
 * Pro+. Pure; the services ask `requireFeature` / `limitFor` before acting.
 */
import { DomainError } from '../../shared/errors';
import type { TenantTier } from './tenant.entity';

export const FEATURES = ['governance_dashboard', 'draft_policies', 'agent_scoped_policies'] as const;
export type Feature = (typeof FEATURES)[number];

const TIER_RANK: Record<TenantTier, number> = { free: 0, starter: 1, pro: 2, enterprise: 3 };
const TIER_LABEL: Record<TenantTier, string> = { free: 'Free', starter: 'Starter', pro: 'Pro', enterprise: 'Enterprise' };

/** The lowest tier that has each feature. */
export const FEATURE_MIN_TIER: Record<Feature, TenantTier> = {
  governance_dashboard: 'starter',
  draft_policies: 'starter',
  agent_scoped_policies: 'pro',
};

/** Custom (draft) policies a tenant may keep enabled; null = unlimited. */
export const DRAFT_POLICY_LIMIT: Record<TenantTier, number | null> = { free: 0, starter: 5, pro: 25, enterprise: null };

export function hasFeature(tier: TenantTier, feature: Feature): boolean {
  return TIER_RANK[tier] >= TIER_RANK[FEATURE_MIN_TIER[feature]];
}

export function featureFlags(tier: TenantTier): Record<Feature, boolean> {
  return Object.fromEntries(FEATURES.map((f) => [f, hasFeature(tier, f)])) as Record<Feature, boolean>;
}

export const FEATURE_REQUIRED = 'novyx_ram.v1.tier.feature_required';
export const LIMIT_EXCEEDED = 'novyx_ram.v1.tier.limit_exceeded';

/** @throws DomainError 403 `novyx_ram.v1.tier.feature_required` when the tier lacks `feature` */
export function requireFeature(tier: TenantTier, feature: Feature): void {
  if (hasFeature(tier, feature)) return;
  const needed = FEATURE_MIN_TIER[feature];
  throw new DomainError('forbidden', `Feature '${feature}' requires ${TIER_LABEL[needed]} tier or higher (current tier: ${TIER_LABEL[tier]})`, null, {
    novyxCode: FEATURE_REQUIRED,
    feature,
    requiredTier: needed,
    currentTier: tier,
  });
}

/** @throws DomainError 403 `novyx_ram.v1.tier.limit_exceeded` when `used` already reaches the tier's limit */
export function requireWithinLimit(tier: TenantTier, used: number): void {
  const limit = DRAFT_POLICY_LIMIT[tier];
  if (limit === null || used < limit) return;
  throw new DomainError('forbidden', `The ${TIER_LABEL[tier]} tier allows ${limit} custom policies and ${used} are in use; disable one or upgrade`, null, {
    novyxCode: LIMIT_EXCEEDED,
    feature: 'draft_policies',
    limit,
    current: used,
    currentTier: tier,
  });
}
