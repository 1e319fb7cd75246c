/**
 * A fake of the parts of the GitHub REST API the `github` proposer uses, on 127.0.0.1, with one
 * in-memory repository: refs, file contents (base64), commits, pull requests and issue
 * comments. Requests need `Authorization: Bearer <token>`. `merge(n)` plays a person merging a
 * pull request (the base branch takes the head branch's files).
 *
 * Routes (as GitHub has them, under `/repos/{owner}/{repo}`):
 * - `GET /git/ref/heads/{branch}` → `{ref, object: {sha, type}}` | 404
 * - `POST /git/refs` `{ref, sha}` → 201 | 422 when it exists
 * - `PATCH /git/refs/heads/{branch}` `{sha, force}` → 200 | 422 (not a fast forward without force)
 * - `GET /contents/{path}?ref=` → `{type: "file", encoding: "base64", content, sha}` | 404
 * - `PUT /contents/{path}` `{message, content, branch, sha?, committer, author}` → 200/201 `{content, commit}`;
 *   409 when `sha` does not match the file on the branch
 * - `GET /pulls?state=&head=owner:branch&base=` → list
 * - `POST /pulls` `{title, head, base, body}` → 201 | 422 when one is open for the head
 * - `POST /issues/{n}/comments` `{body}` → 201
 */
import { createHash } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';

interface Commit {
  sha: string;
  parent: string | null;
  message: string;
  author: unknown;
  files: Map<string, string>;
}

export interface FakePull {
  number: number;
  title: string;
  body: string;
  head: string;
  base: string;
  state: 'open' | 'closed';
  merged: boolean;
  html_url: string;
}

export interface GithubFake {
  /** API base (GITHUB_API_BASE). */
  apiBase: string;
  /** Repository URL (REGISTRY_REPO_URL). */
  repoUrl: string;
  token: string;
  branches: Map<string, string>;
  pulls: FakePull[];
  comments: { issue: number; body: string }[];
  requests: { method: string; path: string; auth: string | null; apiVersion: string | null; accept: string | null }[];
  /** The text of a file on a branch, or null. */
  file(branch: string, path: string): string | null;
  /** The commit message of a branch's head. */
  headMessage(branch: string): string | null;
  /** Merge an open pull request into its base. */
  merge(number: number): void;
  close(): Promise<void>;
}

const sha = (s: string) => createHash('sha1').update(s).digest('hex');

export async function startGithubFake(opts: { owner?: string; repo?: string; token?: string; defaultBranch?: string; files?: Record<string, string> } = {}): Promise<GithubFake> {
  const owner = opts.owner ?? 'acme';
  const repo = opts.repo ?? 'registry';
  const token = opts.token ?? 'fake-token';
  const commits = new Map<string, Commit>();
  const branches = new Map<string, string>();
  const pulls: FakePull[] = [];
  const comments: { issue: number; body: string }[] = [];
  const requests: GithubFake['requests'] = [];
  let counter = 0;

  const commit = (parent: string | null, files: Map<string, string>, message: string, author: unknown): Commit => {
    const c: Commit = { sha: sha(`${++counter}:${message}:${parent}`), parent, message, author, files };
    commits.set(c.sha, c);
    return c;
  };
  const root = commit(null, new Map(Object.entries(opts.files ?? {})), 'initial', null);
  branches.set(opts.defaultBranch ?? 'main', root.sha);

  const prefix = `/repos/${owner}/${repo}`;
  let base = '';

  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => {
      const url = new URL(req.url ?? '/', 'http://127.0.0.1');
      const send = (status: number, body: unknown) => {
        res.writeHead(status, { 'content-type': 'application/json' });
        res.end(JSON.stringify(body));
      };
      requests.push({
        method: req.method ?? '',
        path: url.pathname + url.search,
        auth: req.headers.authorization ?? null,
        apiVersion: (req.headers['x-github-api-version'] as string | undefined) ?? null,
        accept: req.headers.accept ?? null,
      });
      if (req.headers.authorization !== `Bearer ${token}`) return send(401, { message: 'Bad credentials' });
      if (!url.pathname.startsWith(prefix + '/')) return send(404, { message: 'Not Found' });
      const p = decodeURIComponent(url.pathname.slice(prefix.length));
      let body: any = {};
      try {
        body = chunks.length ? JSON.parse(Buffer.concat(chunks).toString('utf8')) : {};
      } catch {
        return send(400, { message: 'Problems parsing JSON' });
      }
      let m: RegExpExecArray | null;
      if (req.method === 'GET' && (m = /^\/git\/ref\/heads\/(.+)$/.exec(p))) {
        const head = branches.get(m[1]);
        return head ? send(200, { ref: `refs/heads/${m[1]}`, object: { sha: head, type: 'commit' } }) : send(404, { message: 'Not Found' });
      }
      if (req.method === 'POST' && p === '/git/refs') {
        const name = String(body.ref ?? '').replace(/^refs\/heads\//, '');
        if (branches.has(name)) return send(422, { message: 'Reference already exists' });
        if (!commits.has(body.sha)) return send(422, { message: 'Object does not exist' });
        branches.set(name, body.sha);
        return send(201, { ref: body.ref, object: { sha: body.sha, type: 'commit' } });
      }
      if (req.method === 'PATCH' && (m = /^\/git\/refs\/heads\/(.+)$/.exec(p))) {
        if (!branches.has(m[1])) return send(422, { message: 'Reference does not exist' });
        if (!commits.has(body.sha)) return send(422, { message: 'Object does not exist' });
        if (body.force !== true) {
          // Only fast-forwards without force: the new commit must descend from the current head.
          let c: string | null = body.sha;
          while (c && c !== branches.get(m[1])) c = commits.get(c)!.parent;
          if (!c) return send(422, { message: 'Update is not a fast forward' });
        }
        branches.set(m[1], body.sha);
        return send(200, { ref: `refs/heads/${m[1]}`, object: { sha: body.sha, type: 'commit' } });
      }
      if ((m = /^\/contents\/(.+)$/.exec(p))) {
        const path = m[1];
        if (req.method === 'GET') {
          const ref = url.searchParams.get('ref') ?? 'main';
          const head = branches.get(ref);
          const text = head ? commits.get(head)!.files.get(path) : undefined;
          if (text === undefined) return send(404, { message: 'Not Found' });
          return send(200, { type: 'file', encoding: 'base64', path, sha: sha(`blob:${text}`), content: Buffer.from(text).toString('base64') });
        }
        if (req.method === 'PUT') {
          const branch = String(body.branch ?? 'main');
          const head = branches.get(branch);
          if (!head) return send(404, { message: 'Branch not found' });
          const current = commits.get(head)!.files.get(path);
          if (current !== undefined && body.sha !== sha(`blob:${current}`)) return send(409, { message: `${path} does not match ${body.sha}` });
          if (current === undefined && body.sha) return send(422, { message: 'sha given for a new file' });
          const text = Buffer.from(String(body.content ?? ''), 'base64').toString('utf8');
          const files = new Map(commits.get(head)!.files);
          files.set(path, text);
          const c = commit(head, files, String(body.message ?? ''), body.author ?? body.committer ?? null);
          branches.set(branch, c.sha);
          return send(current === undefined ? 201 : 200, { content: { path, sha: sha(`blob:${text}`) }, commit: { sha: c.sha, message: c.message } });
        }
      }
      if (p === '/pulls' && req.method === 'GET') {
        const state = url.searchParams.get('state') ?? 'open';
        const head = url.searchParams.get('head');
        const baseBranch = url.searchParams.get('base');
        return send(
          200,
          pulls.filter((pr) => (state === 'all' || pr.state === state) && (!head || `${owner}:${pr.head}` === head) && (!baseBranch || pr.base === baseBranch)),
        );
      }
      if (p === '/pulls' && req.method === 'POST') {
        if (!branches.has(body.head)) return send(422, { message: 'head does not exist' });
        if (pulls.some((pr) => pr.state === 'open' && pr.head === body.head)) return send(422, { message: `A pull request already exists for ${owner}:${body.head}.` });
        const number = pulls.length + 1;
        const pr: FakePull = { number, title: body.title, body: body.body, head: body.head, base: body.base, state: 'open', merged: false, html_url: `${base}/${owner}/${repo}/pull/${number}` };
        pulls.push(pr);
        return send(201, pr);
      }
      if (req.method === 'POST' && (m = /^\/issues\/(\d+)\/comments$/.exec(p))) {
        comments.push({ issue: Number(m[1]), body: String(body.body ?? '') });
        return send(201, { id: comments.length, body: body.body });
      }
      return send(404, { message: 'Not Found' });
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as AddressInfo).port;
  base = `http://127.0.0.1:${port}`;
  return {
    apiBase: base,
    repoUrl: `https://git.example.test/${owner}/${repo}.git`,
    token,
    branches,
    pulls,
    comments,
    requests,
    file(branch, path) {
      const head = branches.get(branch);
      return head ? (commits.get(head)!.files.get(path) ?? null) : null;
    },
    headMessage(branch) {
      const head = branches.get(branch);
      return head ? commits.get(head)!.message : null;
    },
    merge(number) {
      const pr = pulls.find((p) => p.number === number && p.state === 'open');
      if (!pr) throw new Error(`no open pull request #${number}`);
      const head = commits.get(branches.get(pr.head)!)!;
      const c = commit(branches.get(pr.base)!, new Map(head.files), `Merge pull request #${number}`, null);
      branches.set(pr.base, c.sha);
      pr.state = 'closed';
      pr.merged = true;
    },
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
}
