/**
 * The live registry: an immutable index over a compiled RegistryDocument.
 *
 * Keys are kept as people wrote them; lookups normalise both the stored key and the asked name,
 * so `left_pad`, `Left.Pad` and `left-pad` find the same PyPI rule. Replacing the registry means
 * building a new instance and swapping the reference; an instance never changes.
 */
import type { Ecosystem } from '../packages/facts';
import { normalizeName } from '../packages/names';
import type { GlobalPolicies, RegistryDocument, RegistryRule } from './registry-document';

const identity = (ecosystem: Ecosystem, name: string) =>
  `${ecosystem}\u0000${normalizeName(ecosystem, name)}`;

export class Registry {
  readonly version: string;
  readonly globalPolicies: GlobalPolicies;
  readonly document: RegistryDocument;
  readonly #byIdentity: ReadonlyMap<string, RegistryRule>;

  private constructor(document: RegistryDocument) {
    this.document = document;
    this.version = document.version;
    this.globalPolicies = document.globalPolicies;
    const index = new Map<string, RegistryRule>();
    for (const rule of document.packages) {
      // The parser refuses duplicate identities; if a hand-built document has one, the first
      // rule wins, which is also what an author reading the file top-down expects.
      const id = identity(rule.ecosystem, rule.name);
      if (!index.has(id)) index.set(id, rule);
    }
    this.#byIdentity = index;
    Object.freeze(this);
  }

  /** Index a compiled document (from `parseRegistryYaml`). */
  static fromDocument(document: RegistryDocument): Registry {
    return new Registry(document);
  }

  /** The rule for a package, or null when the registry does not know it. */
  lookup(ecosystem: Ecosystem, name: string): RegistryRule | null {
    return this.#byIdentity.get(identity(ecosystem, name)) ?? null;
  }

  /** Whether a package has a rule. */
  has(ecosystem: Ecosystem, name: string): boolean {
    return this.#byIdentity.has(identity(ecosystem, name));
  }

  get packageCount(): number {
    return this.#byIdentity.size;
  }

  /** Every rule, in document order. */
  rules(): readonly RegistryRule[] {
    return this.document.packages;
  }
}
