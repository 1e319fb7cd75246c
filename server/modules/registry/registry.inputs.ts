/** Inputs of the registry endpoints, shared by REST bodies and GraphQL arguments. */
import { z } from 'zod';
import { ECOSYSTEMS } from '../packages/facts';
import { MAX_REGISTRY_BYTES } from './registry-document';

const text = (max: number) => z.string().max(max, `is longer than ${max} characters`);
const optionalText = (max: number) => text(max).nullish();

/** lex-align's POST /registry/proposals body (plus our `ecosystem`). Rule semantics are checked by the service (400). */
export const proposalSchema = z
  .object({
    name: text(300).trim().min(1, 'is required'),
    status: text(64).trim().min(1, 'is required'),
    reason: optionalText(2000),
    replacement: optionalText(300),
    min_version: optionalText(200),
    max_version: optionalText(200),
    rationale: optionalText(4000),
    ecosystem: z.enum(ECOSYSTEMS).optional().default('pypi'),
  })
  .strict();

export const parseYamlSchema = z.object({ yaml_text: z.string().min(1, 'is required').max(MAX_REGISTRY_BYTES, 'is larger than 1 MiB') }).strict();

export const policyPatchSchema = z
  .object({
    version: optionalText(200),
    auto_approve_licenses: z.array(text(200)).nullish(),
    hard_ban_licenses: z.array(text(200)).nullish(),
    require_human_review_licenses: z.array(text(200)).nullish(),
    unknown_license_policy: z.enum(['allow', 'pending_approval', 'block', 'warn']).nullish(),
    cve_threshold: z.number().min(0).max(1).nullish(),
    upstream_unavailable: z.enum(['provisional', 'deny']).nullish(),
    rationale: optionalText(4000),
  })
  .strict();

export const removeRuleSchema = z.object({ rationale: optionalText(4000), ecosystem: z.enum(ECOSYSTEMS).optional().default('pypi') }).strict();

export const approveSchema = z
  .object({
    note: text(4000).trim().min(1, 'is required'),
    status: z.enum(['preferred', 'approved', 'version-constrained']).optional(),
    reason: optionalText(2000),
    min_version: optionalText(200),
    max_version: optionalText(200),
  })
  .strict();

export const rejectSchema = z.object({ reason: text(4000).trim().min(1, 'is required') }).strict();
