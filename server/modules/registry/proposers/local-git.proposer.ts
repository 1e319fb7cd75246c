/**
 * `local_git`: the `local_file` write, then a commit of only that file with the bot identity
 * and a message naming the package, status, source, requester and rationale.
 */
import fs from 'node:fs';
import path from 'node:path';
import { ProposerError } from '../registry-errors';
import type { RegistryChange } from '../registry-edit';
import type { AtomicWriteHooks } from './atomic-write';
import { git } from './git';
import { LocalFileProposer } from './local-file.proposer';
import { changeDetails, describeChange, type ProposalContext, type ProposalResult } from './proposer';

export class LocalGitProposer extends LocalFileProposer {
  override readonly backend = 'local_git' as const;

  constructor(
    filePath: string,
    private readonly identity: { name: string; email: string },
    hooks: AtomicWriteHooks = {},
  ) {
    super(filePath, hooks);
  }

  override async propose(change: RegistryChange, ctx: ProposalContext): Promise<ProposalResult> {
    return this.lock.run(async () => {
      const dir = path.dirname(this.filePath);
      const top = await git(dir, ['rev-parse', '--show-toplevel']);
      if (top.code !== 0) throw new ProposerError(`${dir} is not inside a git work tree (git: ${top.stderr.trim() || `exit ${top.code}`})`, this.backend);
      const root = fs.realpathSync(top.stdout.trim());
      const rel = path.relative(root, path.join(fs.realpathSync(dir), path.basename(this.filePath)));

      this.write(change);
      const { subject } = describeChange(change);
      const add = await git(root, ['add', '--', rel]);
      if (add.code !== 0) throw new ProposerError(`git add ${rel} failed: ${add.stderr.trim()}`, this.backend);
      const staged = await git(root, ['diff', '--cached', '--quiet', '--', rel]);
      let committed = false;
      if (staged.code === 1) {
        const message = [`lexgate: ${subject} (via ${ctx.source})`, '', ...changeDetails(change, ctx)].join('\n');
        // `--only` with a path commits that file alone, whatever else is staged in the tree.
        const commit = await git(root, ['commit', '--no-verify', '--only', '-m', message, '--', rel], this.identity);
        if (commit.code !== 0) throw new ProposerError(`git commit failed: ${(commit.stderr || commit.stdout).trim()}`, this.backend);
        committed = true;
      } else if (staged.code !== 0) {
        throw new ProposerError(`git diff failed: ${staged.stderr.trim()}`, this.backend);
      }
      const head = await git(root, ['rev-parse', 'HEAD']);
      const sha = head.code === 0 ? head.stdout.trim() : null;
      return {
        backend: this.backend,
        status: 'applied' as const,
        url: `file://${this.filePath}`,
        branch: null,
        commit_sha: sha,
        detail: committed
          ? `Committed ${subject} to ${rel} (${sha?.slice(0, 12)}).`
          : `${rel} already had ${subject}; nothing to commit.`,
      };
    });
  }
}
