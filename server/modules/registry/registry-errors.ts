/** Typed failures of the registry module. */
import { DomainError } from '../../shared/errors';

/** Thrown when a registry document or change is refused; `message` names the path (and line) of each problem. */
export class RegistryInvalidError extends DomainError {
  constructor(message: string, field: string | null = 'registry') {
    super('validation_failed', message, field);
    this.name = 'RegistryInvalidError';
  }
}

/** The registry cannot be reloaded now (no readable file, invalid document): lex-align's 409. */
export class RegistryReloadError extends DomainError {
  constructor(message: string) {
    super('conflict', message, 'registry');
    this.name = 'RegistryReloadError';
  }
}

/** A proposer backend failed (git, the GitHub API, the file system): lex-align's 502. */
export class ProposerError extends DomainError {
  constructor(
    message: string,
    readonly backend: string,
  ) {
    super('bad_gateway', message, null, { backend });
    this.name = 'ProposerError';
  }
}
