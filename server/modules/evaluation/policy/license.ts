/**
 * License facts evaluated against the global policy's license lists.
 *
 * Evaluation works per leaf of the expression and combines with OR = best child, AND = worst
 * child, so `MIT OR GPL-3.0-only` passes by electing MIT and `MIT AND GPL-3.0-only` does not.
 * Parsing and recognition live in `packages/license/`.
 */
import spdxSatisfies from 'spdx-satisfies';
import type { LicenseClass, LicenseEvaluation, LicenseFact } from '../../packages/facts';
import { recogniseName } from '../../packages/license/recognise';
import {
  isOrLater,
  isRefId,
  leafText,
  leavesOf,
  orLaterMembers,
  parseLicenseExpression,
  type LicenseLeaf,
  type LicenseNode,
} from '../../packages/license/spdx';

// ---------------------------------------------------------------------------------------------
// Policy lists
// ---------------------------------------------------------------------------------------------

/** The global policy's license lists, as people wrote them. */
export interface LicenseLists {
  autoApprove: readonly string[];
  hardBan: readonly string[];
  review: readonly string[];
}

export interface CanonicalLicenseList {
  /** Canonical leaves (`GPL-3.0-only`, `Apache-2.0 WITH LLVM-exception`) the list names. */
  ids: string[];
  /** Entries that are neither SPDX nor a recognised license name; they match nothing. */
  unrecognised: string[];
}

/**
 * Read a hand-written list: SPDX ids in any case, deprecated ids (`GPL-3.0` = `GPL-3.0-only`,
 * as SPDX defines it), and well-known names (`BSD` = both BSD-3-Clause and BSD-2-Clause,
 * `Apache 2.0`). A compound entry lists each of its licenses. An or-later entry
 * (`GPL-2.0-or-later`, `GPL-2.0+`) also lists every version it covers, so banning `GPL-2.0+`
 * bans GPL-3.0-only too.
 */
export function canonicaliseLicenseList(entries: readonly string[]): CanonicalLicenseList {
  const ids: string[] = [];
  const unrecognised: string[] = [];
  const add = (id: string) => {
    if (!ids.includes(id)) ids.push(id);
  };
  for (const entry of entries) {
    if (typeof entry !== 'string' || entry.trim() === '') continue;
    let parsed = parseLicenseExpression(entry);
    if (!parsed.ok) {
      const name = recogniseName(entry);
      if (name) parsed = parseLicenseExpression(name);
    }
    if (!parsed.ok) {
      unrecognised.push(entry.trim());
      continue;
    }
    for (const leaf of leavesOf(parsed.node)) {
      add(leafText(leaf));
      if (isOrLater(leaf) && leaf.exception === null) orLaterMembers(leaf).forEach(add);
    }
  }
  return { ids, unrecognised };
}

interface CompiledLists {
  approve: Set<string>;
  approveIds: string[];
  ban: Set<string>;
  review: Set<string>;
}

function compile(lists: LicenseLists): CompiledLists {
  const approve = canonicaliseLicenseList(lists.autoApprove).ids;
  const lower = (ids: string[]) => new Set(ids.map((id) => id.toLowerCase()));
  return {
    approve: lower(approve),
    approveIds: approve,
    ban: lower(canonicaliseLicenseList(lists.hardBan).ids),
    review: lower(canonicaliseLicenseList(lists.review).ids),
  };
}

// ---------------------------------------------------------------------------------------------
// Evaluation
// ---------------------------------------------------------------------------------------------

/**
 * Order of outcomes, best first. OR takes the best child, AND the worst, with one order:
 * - auto_approve: passes without a human;
 * - unknown: the unknown-license policy decides (it may allow);
 * - review: a human must clear it — ranked below unknown so that `LGPL-2.1 AND LicenseRef-x`
 *   still goes to review instead of slipping through an `allow` unknown policy;
 * - not_approved: default-deny, but someone may add the license to the approve list;
 * - hard_ban: never.
 */
const RANK: Record<LicenseClass, number> = {
  auto_approve: 4,
  unknown: 3,
  review: 2,
  not_approved: 1,
  hard_ban: 0,
};

interface Outcome {
  class: LicenseClass;
  /** The expression as resolved by the choices made (OR branches, or-later versions). */
  elected: string;
  /** True when an OR branch or an or-later version was chosen on the way. */
  choice: boolean;
  offending: string[];
  /** Set for a WITH leaf whose base is approved but whose exception is not listed. */
  exceptionReview?: { compound: string; base: string; exception: string };
}

function approves(lists: CompiledLists, id: string): boolean {
  if (lists.approve.has(id.toLowerCase())) return true;
  if (isRefId(id)) return false;
  // spdx-satisfies adds range semantics (an approved `GPL-2.0+` entry covers GPL-3.0-only).
  // One entry at a time: it throws on an id its own parser does not know, and one odd entry
  // must not void the whole list.
  return lists.approveIds.some((entry) => {
    if (isRefId(entry)) return false;
    try {
      return spdxSatisfies(id, [entry]);
    } catch {
      return false;
    }
  });
}

function simple(lists: CompiledLists, id: string): Outcome {
  const key = id.toLowerCase();
  const base = { elected: id, choice: false };
  if (lists.ban.has(key)) return { ...base, class: 'hard_ban', offending: [id] };
  if (lists.review.has(key)) return { ...base, class: 'review', offending: [id] };
  if (approves(lists, id)) return { ...base, class: 'auto_approve', offending: [] };
  if (isRefId(id)) return { ...base, class: 'unknown', offending: [id] };
  return { ...base, class: 'not_approved', offending: [id] };
}

function evaluateLeaf(lists: CompiledLists, leaf: LicenseLeaf): Outcome {
  if (leaf.exception !== null) {
    const compound = leafText(leaf);
    const listed = simple(lists, compound);
    if (listed.class === 'hard_ban' || listed.class === 'review' || listed.class === 'auto_approve') return listed;
    const baseLeaf = { ...leaf, exception: null };
    const base = evaluateLeaf(lists, baseLeaf);
    if (base.class === 'auto_approve') {
      // The base license is approved, but an exception changes the terms: a human looks at it.
      return {
        class: 'review',
        elected: compound,
        choice: base.choice,
        offending: [compound],
        exceptionReview: { compound, base: leafText(baseLeaf), exception: leaf.exception },
      };
    }
    return base;
  }
  const text = leafText(leaf);
  if (!isOrLater(leaf)) return simple(lists, text);

  // An or-later license is listed as such, or else is the OR of the versions it offers.
  const direct = simple(lists, text);
  if (direct.class === 'hard_ban' || direct.class === 'review') return direct;
  if (lists.approve.has(text.toLowerCase())) return direct;
  const members = orLaterMembers(leaf).map((id) => simple(lists, id));
  const best = combine('or', members);
  return { ...best, choice: true };
}

function combine(kind: 'and' | 'or', outcomes: Outcome[]): Outcome {
  const pick =
    kind === 'or'
      ? outcomes.reduce((a, b) => (RANK[b.class] > RANK[a.class] ? b : a))
      : outcomes.reduce((a, b) => (RANK[b.class] < RANK[a.class] ? b : a));
  const same = outcomes.filter((o) => o.class === pick.class);
  const offending = pick.class === 'auto_approve' ? [] : [...new Set(same.flatMap((o) => o.offending))];
  if (kind === 'or') {
    return { ...pick, choice: true, offending: pick.class === 'auto_approve' ? [] : offending };
  }
  return {
    class: pick.class,
    elected: outcomes.map((o) => o.elected).join(' AND '),
    choice: outcomes.some((o) => o.choice),
    offending,
    exceptionReview: pick.exceptionReview,
  };
}

function evaluateNode(lists: CompiledLists, node: LicenseNode): Outcome {
  if (node.kind === 'leaf') return evaluateLeaf(lists, node);
  // Flatten chains of the same operator so `A OR B OR C` elects among three, left first.
  const operands: LicenseNode[] = [];
  const collect = (n: LicenseNode) => {
    if (n.kind === node.kind) {
      collect(n.left);
      collect(n.right);
    } else operands.push(n);
  };
  collect(node);
  return combine(node.kind, operands.map((n) => evaluateNode(lists, n)));
}

/**
 * Classify a license fact against the policy lists.
 *
 * Per license (case-insensitive): hard-ban list, then review list, then auto-approve list
 * (through `spdx-satisfies`, so or-later entries cover later versions), else `not_approved`
 * (`unknown` for a LicenseRef). An or-later license not listed as such is the OR of the
 * versions it offers, so `GPL-2.0-or-later` is hard-banned only when every version is. A
 * `WITH` compound passes only when listed whole; otherwise its base license decides, and an
 * approved base still goes to review because of the exception. OR = best, AND = worst (see
 * RANK). An UNKNOWN fact is `unknown`.
 */
export function evaluateLicense(fact: LicenseFact, lists: LicenseLists): LicenseEvaluation {
  if (fact.expression === null) {
    return {
      class: 'unknown',
      elected: null,
      offending: [],
      explanation: `The license is UNKNOWN (${fact.unknownReason ?? 'no license information'}), so the unknown-license policy decides.`,
    };
  }
  const parsed = parseLicenseExpression(fact.expression);
  if (!parsed.ok) {
    return {
      class: 'unknown',
      elected: null,
      offending: [],
      explanation: `The license expression "${fact.expression}" cannot be parsed (${parsed.reason}), so it is treated as UNKNOWN.`,
    };
  }
  const outcome = evaluateNode(compile(lists), parsed.node);
  const elected = outcome.choice && outcome.class !== 'hard_ban' ? outcome.elected : null;
  return {
    class: outcome.class,
    elected,
    offending: outcome.offending,
    explanation: explain(parsed.expression, outcome, elected),
  };
}

function explain(expression: string, outcome: Outcome, elected: string | null): string {
  const single = outcome.offending.length === 1 && outcome.offending[0] === expression;
  const ids = outcome.offending.join(', ');
  const via = elected && elected !== expression && elected !== ids ? ` (best option: ${elected})` : '';
  switch (outcome.class) {
    case 'auto_approve':
      return elected && elected !== expression
        ? `License ${expression} is auto-approved by electing ${elected}.`
        : `License ${expression} is on the auto-approve list.`;
    case 'hard_ban':
      return single
        ? `License ${expression} is hard-banned by the enterprise policy; choose a package under a different license.`
        : `License ${expression} is hard-banned by the enterprise policy because of ${ids}; choose a package under a different license.`;
    case 'review':
      if (outcome.exceptionReview) {
        const { compound, base, exception } = outcome.exceptionReview;
        const subject = compound === expression ? `License ${compound}` : `License ${expression} includes ${compound}`;
        return `${subject}: ${base} is auto-approved but the exception ${exception} is on no list, so it needs human legal review before use.`;
      }
      return single
        ? `License ${expression} requires human legal review under the enterprise policy; request approval and wait for the decision.`
        : `License ${expression} needs ${ids}, which requires human legal review under the enterprise policy${via}; request approval and wait for the decision.`;
    case 'not_approved':
      return single
        ? `License ${expression} is not on the auto-approve list; add it to global_policies.auto_approve_licenses if it should be permitted.`
        : `License ${expression} is not auto-approved${via}: ${ids} is on no policy list; add it to global_policies.auto_approve_licenses if it should be permitted.`;
    case 'unknown':
      return `License ${expression} depends on ${ids}, which no policy list names, so it is treated as UNKNOWN and the unknown-license policy decides.`;
  }
}
