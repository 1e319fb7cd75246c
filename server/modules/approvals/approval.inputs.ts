/** Inputs shared by REST bodies and GraphQL arguments. */
import { z } from 'zod';
import { ECOSYSTEMS } from '../evaluation/policy/facts';
import { APPROVAL_STATUSES } from './approval-request.entity';
import { MAX_RATIONALE } from './approval-record';

export const requestApprovalSchema = z
  .object({
    package: z.string().trim().min(1, 'is required').max(300, 'is longer than 300 characters'),
    rationale: z.string().trim().min(1, 'is required').max(MAX_RATIONALE, `is longer than ${MAX_RATIONALE} characters`),
    ecosystem: z.enum(ECOSYSTEMS).optional().default('pypi'),
    version: z.string().trim().min(1).max(200).nullable().optional(),
  })
  .strict();

export type RequestApprovalBody = z.infer<typeof requestApprovalSchema>;

export const approvalStatusSchema = z.enum(APPROVAL_STATUSES);
