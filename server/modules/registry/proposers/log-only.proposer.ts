/** `log_only`: records the proposal in the log and nothing else (lex-align's fallback backend). */
import type { Logger } from '../../../shared/logger';
import { applyRegistryChange } from '../registry-edit';
import type { RegistryChange } from '../registry-edit';
import { describeChange, type ProposalContext, type ProposalResult, type Proposer } from './proposer';

export class LogOnlyProposer implements Proposer {
  readonly backend = 'log_only' as const;
  readonly writesRegistryFile = false;

  constructor(
    private readonly currentText: () => string | null,
    private readonly logger: Logger,
  ) {}

  async propose(change: RegistryChange, ctx: ProposalContext): Promise<ProposalResult> {
    // Validate against the live document so a logged proposal is one that would apply.
    applyRegistryChange(this.currentText(), change);
    const { subject } = describeChange(change);
    this.logger.info('registry proposal (log_only)', { subject, source: ctx.source, project: ctx.project, requester: ctx.requester, rationale: ctx.rationale });
    return {
      backend: this.backend,
      status: 'logged',
      url: null,
      branch: null,
      commit_sha: null,
      detail: `Logged only: ${subject}. Set REGISTRY_PROPOSER (local_file, local_git or github) with REGISTRY_PATH or REGISTRY_REPO_URL to have proposals written.`,
    };
  }
}
