/**
 * Proposers: the backends that turn a registry change into a durable proposal (lex-align's
 * contract, SPEC §5). The change is validated as a whole document before anything is written;
 * a backend failure is a ProposerError (REST 502). The registry goes live only through a reload
 * of the file (or a merged pull request and its webhook), never by the proposer itself.
 */
import type { RegistryChange } from '../registry-edit';

export const PROPOSER_BACKENDS = ['log_only', 'local_file', 'local_git', 'github'] as const;
export type ProposerBackend = (typeof PROPOSER_BACKENDS)[number];

/** lex-align's result statuses. */
export type ProposalStatus = 'opened' | 'amended' | 'applied' | 'logged' | 'failed';

/** lex-align's ProposalResult. */
export interface ProposalResult {
  backend: ProposerBackend;
  status: ProposalStatus;
  url: string | null;
  branch: string | null;
  commit_sha: string | null;
  detail: string;
}

/** Who proposes and why (lex-align's context). */
export interface ProposalContext {
  source: 'agent' | 'operator';
  project: string;
  requester: string;
  rationale: string;
  agentModel?: string | null;
  agentVersion?: string | null;
}

export interface Proposer {
  readonly backend: ProposerBackend;
  /** Whether an applied proposal changed REGISTRY_PATH itself (so a reload makes it live now). */
  readonly writesRegistryFile: boolean;
  /** @throws RegistryInvalidError when the change makes the document invalid; ProposerError when the backend fails */
  propose(change: RegistryChange, ctx: ProposalContext): Promise<ProposalResult>;
  /** Bring the local registry file up to date after a merge (github only). */
  refreshLocalYaml?(): Promise<void>;
}

/** A short description of a change, for commit subjects, titles and logs. */
export function describeChange(change: RegistryChange): { subject: string; target: string } {
  if (change.kind === 'set_package') {
    return { subject: `${change.rule.name} → ${change.rule.status}`, target: change.rule.name };
  }
  if (change.kind === 'remove_package') return { subject: `remove ${change.name}`, target: change.name };
  const keys = Object.keys(change.patch).filter((k) => (change.patch as Record<string, unknown>)[k] !== undefined);
  return { subject: `global policies (${keys.join(', ') || 'no change'})`, target: 'global_policies' };
}

/** The lines of a commit message or pull-request body naming the change, who asked and why. */
export function changeDetails(change: RegistryChange, ctx: ProposalContext): string[] {
  const lines: string[] = [];
  if (change.kind === 'set_package') {
    const r = change.rule;
    lines.push(`Package: ${r.name} (${r.ecosystem})`, `Status: ${r.status}`);
    if (r.replacement) lines.push(`Replacement: ${r.replacement}`);
    if (r.min_version || r.max_version) lines.push(`Version constraint: ${r.min_version ?? ''}..${r.max_version ?? ''}`);
    if (r.reason) lines.push(`Reason: ${r.reason}`);
  } else if (change.kind === 'remove_package') {
    lines.push(`Package: ${change.name} (${change.ecosystem})`, 'Status: removed from the registry');
  } else {
    for (const [k, v] of Object.entries(change.patch)) if (v !== undefined) lines.push(`${k}: ${JSON.stringify(v)}`);
  }
  lines.push(`Source: ${ctx.source}`, `Project: ${ctx.project}`, `Requester: ${ctx.requester}`);
  if (ctx.agentModel) lines.push(`Agent: ${ctx.agentModel}${ctx.agentVersion ? ` ${ctx.agentVersion}` : ''}`);
  lines.push('', `Rationale: ${ctx.rationale}`);
  return lines;
}
