/**
 * Proposer selection at start, as lex-align does it: an explicit REGISTRY_PROPOSER wins;
 * otherwise REGISTRY_REPO_URL → github, a REGISTRY_PATH inside a git work tree → local_git,
 * a writable registry file (or directory) → local_file, else log_only.
 *
 * The starter registry in the data directory (no REGISTRY_PATH) is written with local_file even
 * when the data directory happens to sit inside a git checkout: committing into whatever
 * repository lexgate was started from would surprise everyone.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { Config } from '../../../config';
import type { HttpClient } from '../../../shared/http-client';
import type { Logger } from '../../../shared/logger';
import type { AtomicWriteHooks } from './atomic-write';
import { gitTopLevel } from './git';
import { apiBaseFor, GithubProposer, parseRepoUrl } from './github.proposer';
import { LocalFileProposer } from './local-file.proposer';
import { LocalGitProposer } from './local-git.proposer';
import { LogOnlyProposer } from './log-only.proposer';
import type { Proposer, ProposerBackend } from './proposer';

export interface ProposerDeps {
  config: Config;
  /** The registry file (REGISTRY_PATH, or the data directory's registry.yml). */
  filePath: string;
  http: HttpClient;
  logger: Logger;
  /** The live registry's YAML (for log_only validation). */
  currentText: () => string | null;
  hooks?: AtomicWriteHooks;
}

function writable(p: string): boolean {
  try {
    fs.accessSync(p, fs.constants.W_OK);
    return true;
  } catch {
    return false;
  }
}

/** Which backend the configuration selects (no side effects beyond `git rev-parse`). */
export function selectBackend(config: Config, filePath: string): ProposerBackend {
  const r = config.registry;
  if (r.proposer) return r.proposer;
  if (r.repoUrl) return 'github';
  const dir = path.dirname(filePath);
  if (r.path && fs.existsSync(fs.existsSync(filePath) ? filePath : dir) && gitTopLevel(dir) !== null) return 'local_git';
  if (fs.existsSync(filePath) ? writable(filePath) && writable(dir) : writable(dir)) return 'local_file';
  return 'log_only';
}

/**
 * Build the configured proposer.
 * @throws Error when the configuration names a backend it cannot run (e.g. github without a parsable repository URL)
 */
export function createProposer(deps: ProposerDeps): Proposer {
  const { config, filePath } = deps;
  const r = config.registry;
  const identity = { name: r.botAuthorName, email: r.botAuthorEmail };
  const backend = selectBackend(config, filePath);
  switch (backend) {
    case 'log_only':
      if (!r.proposer) deps.logger.warn('registry proposals are only logged: no writable registry file and no repository configured');
      return new LogOnlyProposer(deps.currentText, deps.logger);
    case 'local_file':
      return new LocalFileProposer(filePath, deps.hooks);
    case 'local_git':
      return new LocalGitProposer(filePath, identity, deps.hooks);
    case 'github': {
      const repo = r.repoUrl ? parseRepoUrl(r.repoUrl) : null;
      if (!repo) throw new Error(`REGISTRY_REPO_URL must be https://host/owner/repo or git@host:owner/repo, got "${r.repoUrl ?? ''}"`);
      if (!r.repoToken) throw new Error('the github proposer needs REGISTRY_REPO_TOKEN');
      return new GithubProposer({
        repo,
        apiBase: apiBaseFor(repo, r.githubApiBase),
        token: r.repoToken,
        filePath: r.filePath,
        defaultBranch: r.defaultBranch,
        identity,
        localPath: filePath,
        http: deps.http,
      });
    }
  }
}
