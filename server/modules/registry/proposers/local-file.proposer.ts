/**
 * `local_file`: applies the change to REGISTRY_PATH itself, atomically (temp file + rename),
 * keeping comments, key order and key spelling. Writes are serialised in this process; the
 * whole document is validated before the file is touched.
 */
import fs from 'node:fs';
import { ProposerError } from '../registry-errors';
import { applyRegistryChange, type EditResult, type RegistryChange } from '../registry-edit';
import { writeFileAtomic, type AtomicWriteHooks } from './atomic-write';
import { describeChange, type ProposalContext, type ProposalResult, type Proposer } from './proposer';

/** Serialises read-modify-write cycles on one file within the process. */
export class FileLock {
  #tail: Promise<unknown> = Promise.resolve();
  run<T>(fn: () => Promise<T> | T): Promise<T> {
    const next = this.#tail.then(fn, fn);
    this.#tail = next.catch(() => undefined);
    return next;
  }
}

export function readIfExists(file: string): string | null {
  try {
    return fs.readFileSync(file, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw e;
  }
}

export class LocalFileProposer implements Proposer {
  readonly backend: 'local_file' | 'local_git' = 'local_file';
  readonly writesRegistryFile = true;
  protected readonly lock = new FileLock();

  constructor(
    protected readonly filePath: string,
    protected readonly hooks: AtomicWriteHooks = {},
  ) {}

  /** Apply and write the change; returns the edit (unchanged documents are not rewritten). */
  protected write(change: RegistryChange): EditResult {
    let current: string | null;
    try {
      current = readIfExists(this.filePath);
    } catch (e) {
      throw new ProposerError(`Cannot read ${this.filePath}: ${(e as Error).message}`, this.backend);
    }
    const edit = applyRegistryChange(current, change);
    if (edit.changed) {
      try {
        writeFileAtomic(this.filePath, edit.text, this.hooks);
      } catch (e) {
        throw new ProposerError(`Cannot write ${this.filePath}: ${(e as Error).message}; the file was left as it was`, this.backend);
      }
    }
    return edit;
  }

  async propose(change: RegistryChange, _ctx: ProposalContext): Promise<ProposalResult> {
    return this.lock.run(() => {
      const edit = this.write(change);
      const { subject } = describeChange(change);
      return {
        backend: this.backend,
        status: 'applied' as const,
        url: `file://${this.filePath}`,
        branch: null,
        commit_sha: null,
        detail: edit.changed ? `Wrote ${subject} to ${this.filePath}.` : `${this.filePath} already had ${subject}; nothing to write.`,
      };
    });
  }
}
