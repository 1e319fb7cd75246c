/**
 * `github` (opt-in): one branch and one pull request per package, through the GitHub REST API
 * at a configurable base (GitHub Enterprise, or a local fake in tests). A repeat proposal for
 * the same package commits onto the same branch and comments on the open pull request
 * (`amended`) instead of opening a second one. Nothing is merged automatically; after a merge
 * the webhook calls `refreshLocalYaml`, which copies the default branch's file into
 * REGISTRY_PATH atomically, and the reload makes it live.
 */
import type { HttpClient, HttpResult } from '../../../shared/http-client';
import { normalizeName } from '../../packages/names';
import { ProposerError } from '../registry-errors';
import { applyRegistryChange, type RegistryChange } from '../registry-edit';
import { writeFileAtomic } from './atomic-write';
import { changeDetails, describeChange, type ProposalContext, type ProposalResult, type Proposer } from './proposer';

export interface GithubRepoRef {
  owner: string;
  repo: string;
  host: string;
}

/** Parse `https://host/owner/repo(.git)` or `git@host:owner/repo(.git)`; null when it is neither. */
export function parseRepoUrl(url: string): GithubRepoRef | null {
  const trimmed = url.trim();
  const ssh = /^(?:ssh:\/\/)?git@([^:/]+)[:/]([^/\s]+)\/([^/\s]+?)(?:\.git)?\/?$/.exec(trimmed);
  if (ssh) return { host: ssh[1], owner: ssh[2], repo: ssh[3] };
  try {
    const u = new URL(trimmed);
    if (u.protocol !== 'https:' && u.protocol !== 'http:') return null;
    const parts = u.pathname.replace(/^\/+|\/+$/g, '').replace(/\.git$/, '').split('/');
    if (parts.length !== 2 || !parts[0] || !parts[1]) return null;
    return { host: u.host, owner: parts[0], repo: parts[1] };
  } catch {
    return null;
  }
}

/** The API base for a repository host: GITHUB_API_BASE when set, else GitHub's conventions. */
export function apiBaseFor(ref: GithubRepoRef, configured: string | null): string {
  if (configured) return configured.replace(/\/+$/, '');
  return ref.host === 'github.com' ? `https://api.${ref.host}` : `https://${ref.host}/api/v3`;
}

export interface GithubProposerOptions {
  repo: GithubRepoRef;
  apiBase: string;
  token: string;
  filePath: string;
  defaultBranch: string;
  identity: { name: string; email: string };
  /** REGISTRY_PATH: where a merged registry is copied. */
  localPath: string;
  http: HttpClient;
}

interface ContentFile {
  text: string | null;
  sha: string | null;
}

/** The branch a change is proposed on: one per package, one for global policies. */
export function branchFor(change: RegistryChange): string {
  if (change.kind === 'set_policies') return 'lexgate/policies';
  const ecosystem = change.kind === 'set_package' ? change.rule.ecosystem : change.ecosystem;
  const name = change.kind === 'set_package' ? change.rule.name : change.name;
  const slug = normalizeName(ecosystem, name)
    .replace(/^@/, '')
    .replace(/[^A-Za-z0-9._-]+/g, '-');
  return `lexgate/approval/${ecosystem === 'pypi' ? '' : `${ecosystem}-`}${slug}`;
}

export class GithubProposer implements Proposer {
  readonly backend = 'github' as const;
  readonly writesRegistryFile = false;

  constructor(private readonly opts: GithubProposerOptions) {}

  private url(path: string): string {
    const { owner, repo } = this.opts.repo;
    return `${this.opts.apiBase}/repos/${encodeURIComponent(owner)}/${encodeURIComponent(repo)}${path}`;
  }

  private headers(): Record<string, string> {
    return {
      authorization: `Bearer ${this.opts.token}`,
      accept: 'application/vnd.github+json',
      'x-github-api-version': '2022-11-28',
    };
  }

  private async call(method: 'GET' | 'POST' | 'PUT' | 'PATCH', path: string, body?: unknown): Promise<{ status: number; json: any }> {
    const opts = { service: 'GitHub API', headers: this.headers() };
    const res: HttpResult =
      method === 'GET' ? await this.opts.http.getJson(this.url(path), opts) : await this.opts.http.sendJson(method, this.url(path), body, opts);
    if (!res.ok) throw new ProposerError(`GitHub API ${method} ${path} failed: ${res.reason}`, this.backend);
    return { status: res.status, json: res.json };
  }

  private async branchSha(branch: string): Promise<string | null> {
    const r = await this.call('GET', `/git/ref/heads/${branch.split('/').map(encodeURIComponent).join('/')}`);
    if (r.status === 404) return null;
    const sha = r.json?.object?.sha;
    if (typeof sha !== 'string') throw new ProposerError(`GitHub API answered a ref without object.sha for ${branch}`, this.backend);
    return sha;
  }

  private async readFile(ref: string): Promise<ContentFile> {
    const path = this.opts.filePath.split('/').map(encodeURIComponent).join('/');
    const r = await this.call('GET', `/contents/${path}?ref=${encodeURIComponent(ref)}`);
    if (r.status === 404) return { text: null, sha: null };
    if (typeof r.json?.content !== 'string') throw new ProposerError(`GitHub API answered ${this.opts.filePath} without content (is it a file?)`, this.backend);
    return { text: Buffer.from(r.json.content, 'base64').toString('utf8'), sha: typeof r.json.sha === 'string' ? r.json.sha : null };
  }

  async propose(change: RegistryChange, ctx: ProposalContext): Promise<ProposalResult> {
    const { owner } = this.opts.repo;
    const branch = branchFor(change);
    const base = this.opts.defaultBranch;
    const baseSha = await this.branchSha(base);
    if (!baseSha) throw new ProposerError(`The default branch ${base} does not exist in ${owner}/${this.opts.repo.repo}`, this.backend);
    const open = await this.call('GET', `/pulls?state=open&head=${encodeURIComponent(`${owner}:${branch}`)}&base=${encodeURIComponent(base)}`);
    const existing = Array.isArray(open.json) ? open.json[0] : undefined;
    let branchExists = (await this.branchSha(branch)) !== null;
    // Edit the file as it is on the open proposal's branch, else as it is on the default branch.
    const file = await this.readFile(branchExists && existing ? branch : base);
    const edit = applyRegistryChange(file.text, change); // throws RegistryInvalidError before anything is written
    if (branchExists && !existing && edit.changed) {
      // A branch left from an earlier, closed proposal: start it again from the default branch,
      // so the new pull request cannot carry stale content back into it.
      await this.call('PATCH', `/git/refs/heads/${branch.split('/').map(encodeURIComponent).join('/')}`, { sha: baseSha, force: true });
    }
    const { subject } = describeChange(change);
    const details = changeDetails(change, ctx);

    let commitSha: string | null = null;
    if (edit.changed) {
      if (!branchExists) {
        await this.call('POST', '/git/refs', { ref: `refs/heads/${branch}`, sha: baseSha });
        branchExists = true;
      }
      const path = this.opts.filePath.split('/').map(encodeURIComponent).join('/');
      const put = await this.call('PUT', `/contents/${path}`, {
        message: [`lexgate: ${subject} (via ${ctx.source})`, '', ...details].join('\n'),
        content: Buffer.from(edit.text, 'utf8').toString('base64'),
        branch,
        ...(file.sha ? { sha: file.sha } : {}),
        committer: this.opts.identity,
        author: this.opts.identity,
      });
      commitSha = typeof put.json?.commit?.sha === 'string' ? put.json.commit.sha : null;
    }

    if (existing && typeof existing.number === 'number') {
      await this.call('POST', `/issues/${existing.number}/comments`, {
        body: [`Proposal ${edit.changed ? 'updated' : 'repeated (no change to the file)'}: ${subject}`, '', ...details].join('\n'),
      });
      return {
        backend: this.backend,
        status: 'amended',
        url: existing.html_url ?? null,
        branch,
        commit_sha: commitSha,
        detail: `Updated pull request #${existing.number} for ${subject}.`,
      };
    }
    if (!edit.changed) {
      return { backend: this.backend, status: 'failed', url: null, branch: null, commit_sha: null, detail: `${base} already has ${subject}; nothing to propose.` };
    }
    const pr = await this.call('POST', '/pulls', {
      title: `lexgate: classify ${describeChange(change).target} (${subject})`,
      head: branch,
      base,
      body: [`Proposed by lexgate.`, '', ...details].join('\n'),
      maintainer_can_modify: true,
    });
    return {
      backend: this.backend,
      status: 'opened',
      url: pr.json?.html_url ?? null,
      branch,
      commit_sha: commitSha,
      detail: `Opened pull request #${pr.json?.number} for ${subject}.`,
    };
  }

  /** Copy the registry file of the default branch into REGISTRY_PATH (after a merge). */
  async refreshLocalYaml(): Promise<void> {
    const file = await this.readFile(this.opts.defaultBranch);
    if (file.text === null) throw new ProposerError(`${this.opts.filePath} does not exist on ${this.opts.defaultBranch}`, this.backend);
    writeFileAtomic(this.opts.localPath, file.text);
  }
}
