/**
 * A linear-time regular-expression matcher for user-written policy rules.
 *
 * Policy `match` / `context_requires` patterns run on every submitted action, so a
 * backtracking engine (JavaScript's RegExp) would let one rule like `(a+)+$` stall
 * the server. This compiles the usual regex subset to a Thompson NFA and runs it
 * without captures: every input position is visited once and every program
 * instruction at most once per position, so the cost is bounded by
 * `input length × program size` whatever the pattern. The set of live states
 * is memoised per input character (a lazy DFA with a bounded cache, as RE2
 * does), so in the usual case a character costs one table lookup; patterns
 * with word boundaries (`\b`, `\B`) run on the plain Pike VM.
 *
 * Semantics: unanchored search, case-insensitive (as Novyx matches rules), `.`
 * matches any character but a newline, `^`/`$` are the start/end of the input.
 * Backreferences, lookaround, atomic groups and possessive quantifiers cannot be
 * run in linear time and are refused with a message naming the construct.
 */

export class RegexSyntaxError extends Error {
  constructor(
    message: string,
    readonly position: number,
  ) {
    super(`${message} at position ${position}`);
    this.name = 'RegexSyntaxError';
  }
}

/** Longest pattern accepted (characters). */
export const MAX_PATTERN_LENGTH = 1000;
/** Largest compiled program (instructions); bounds the per-character cost. */
export const MAX_PROGRAM_SIZE = 2000;
/** Cached DFA states per pattern before the cache starts afresh. */
const MAX_DFA_STATES = 2000;
/** Largest counted repetition, e.g. `a{1000}`. */
export const MAX_REPEAT = 1000;

type Range = readonly [number, number];

interface CharClass {
  ranges: Range[];
  negated: boolean;
}

type Node =
  | { t: 'empty' }
  | { t: 'lit'; c: number }
  | { t: 'class'; cls: CharClass }
  | { t: 'any' }
  | { t: 'assert'; kind: AssertKind }
  | { t: 'cat'; xs: Node[] }
  | { t: 'alt'; xs: Node[] }
  | { t: 'rep'; x: Node; min: number; max: number };

type AssertKind = 'bol' | 'eol' | 'word' | 'nonword';

const DIGIT: Range[] = [[0x30, 0x39]];
const WORD: Range[] = [
  [0x30, 0x39],
  [0x41, 0x5a],
  [0x5f, 0x5f],
  [0x61, 0x7a],
];
const SPACE: Range[] = [
  [0x09, 0x0d],
  [0x20, 0x20],
  [0xa0, 0xa0],
  [0x1680, 0x1680],
  [0x2000, 0x200a],
  [0x2028, 0x2029],
  [0x202f, 0x202f],
  [0x205f, 0x205f],
  [0x3000, 0x3000],
  [0xfeff, 0xfeff],
];

function inRanges(ranges: readonly Range[], c: number): boolean {
  for (const [lo, hi] of ranges) if (c >= lo && c <= hi) return true;
  return false;
}

const lower = (c: number) => String.fromCodePoint(c).toLowerCase().codePointAt(0)!;
const upper = (c: number) => String.fromCodePoint(c).toUpperCase().codePointAt(0)!;

class Parser {
  private i = 0;
  private readonly cps: number[];

  constructor(private readonly src: string) {
    this.cps = Array.from(src, (ch) => ch.codePointAt(0)!);
  }

  parse(): Node {
    const node = this.alternation();
    if (this.i < this.cps.length) {
      throw new RegexSyntaxError(this.peek() === 0x29 ? 'unmatched ")"' : `unexpected "${this.ch()}"`, this.i);
    }
    return node;
  }

  private peek(offset = 0): number | undefined {
    return this.cps[this.i + offset];
  }

  private ch(offset = 0): string {
    const c = this.peek(offset);
    return c === undefined ? '' : String.fromCodePoint(c);
  }

  private alternation(): Node {
    const xs = [this.concatenation()];
    while (this.peek() === 0x7c /* | */) {
      this.i++;
      xs.push(this.concatenation());
    }
    return xs.length === 1 ? xs[0] : { t: 'alt', xs };
  }

  private concatenation(): Node {
    const xs: Node[] = [];
    while (this.i < this.cps.length && this.peek() !== 0x7c && this.peek() !== 0x29) {
      xs.push(this.repetition());
    }
    if (xs.length === 0) return { t: 'empty' };
    return xs.length === 1 ? xs[0] : { t: 'cat', xs };
  }

  private repetition(): Node {
    const start = this.i;
    let node = this.atom();
    for (;;) {
      const c = this.peek();
      let min: number;
      let max: number;
      if (c === 0x2a /* * */) {
        min = 0;
        max = Infinity;
        this.i++;
      } else if (c === 0x2b /* + */) {
        min = 1;
        max = Infinity;
        this.i++;
      } else if (c === 0x3f /* ? */) {
        min = 0;
        max = 1;
        this.i++;
      } else if (c === 0x7b /* { */ && this.countedAhead()) {
        [min, max] = this.counted();
      } else break;
      if (node.t === 'assert' || node.t === 'empty') throw new RegexSyntaxError('nothing to repeat', start);
      if (this.peek() === 0x3f) this.i++; // lazy: the same yes/no answer for a matcher without captures
      else if (this.peek() === 0x2b) throw new RegexSyntaxError('possessive quantifiers are not supported', this.i);
      node = { t: 'rep', x: node, min, max };
    }
    return node;
  }

  /** `{` starts a counted repetition only when it reads as one (`{2}`, `{2,}`, `{2,5}`); else it is a literal. */
  private countedAhead(): boolean {
    return /^\{\d+(,\d*)?\}/.test(this.src.slice(this.offsetOf(this.i)));
  }

  private offsetOf(cpIndex: number): number {
    let off = 0;
    for (let k = 0; k < cpIndex; k++) off += this.cps[k] > 0xffff ? 2 : 1;
    return off;
  }

  private counted(): [number, number] {
    const at = this.i;
    const m = /^\{(\d+)(,(\d*))?\}/.exec(this.src.slice(this.offsetOf(this.i)))!;
    this.i += m[0].length;
    const min = Number(m[1]);
    const max = m[2] === undefined ? min : m[3] === '' ? Infinity : Number(m[3]);
    if (min > MAX_REPEAT || (max !== Infinity && max > MAX_REPEAT)) {
      throw new RegexSyntaxError(`repetition counts above ${MAX_REPEAT} are not supported`, at);
    }
    if (max < min) throw new RegexSyntaxError(`repetition {${min},${max}} has its bounds out of order`, at);
    return [min, max];
  }

  private atom(): Node {
    const at = this.i;
    const c = this.peek()!;
    switch (c) {
      case 0x28 /* ( */: {
        this.i++;
        if (this.peek() === 0x3f /* ? */) this.groupPrefix(at);
        const inner = this.alternation();
        if (this.peek() !== 0x29) throw new RegexSyntaxError('missing ")"', at);
        this.i++;
        return inner;
      }
      case 0x29:
        throw new RegexSyntaxError('unmatched ")"', at);
      case 0x5b /* [ */:
        return { t: 'class', cls: this.charClass() };
      case 0x2e /* . */:
        this.i++;
        return { t: 'any' };
      case 0x5e /* ^ */:
        this.i++;
        return { t: 'assert', kind: 'bol' };
      case 0x24 /* $ */:
        this.i++;
        return { t: 'assert', kind: 'eol' };
      case 0x5c /* \ */:
        return this.escape(false) as Node;
      case 0x2a:
      case 0x2b:
      case 0x3f:
        throw new RegexSyntaxError('nothing to repeat', at);
      default:
        this.i++;
        return { t: 'lit', c };
    }
  }

  /** After `(?`: accept `(?:`, `(?<name>` and `(?i)`-style flags; refuse lookaround and atomic groups. */
  private groupPrefix(at: number): void {
    const next = this.ch(1);
    const next2 = this.ch(2);
    if (next === ':') {
      this.i += 2;
      return;
    }
    if (next === '=' || next === '!') throw new RegexSyntaxError('lookahead assertions are not supported', at);
    if (next === '<' && (next2 === '=' || next2 === '!')) throw new RegexSyntaxError('lookbehind assertions are not supported', at);
    if (next === '>') throw new RegexSyntaxError('atomic groups are not supported', at);
    if (next === '<' || next === 'P') {
      const m = /^\?P?<([A-Za-z_][A-Za-z0-9_]*)>/.exec(this.src.slice(this.offsetOf(this.i)));
      if (!m) throw new RegexSyntaxError('malformed named group', at);
      this.i += m[0].length;
      return;
    }
    throw new RegexSyntaxError(`unsupported group syntax "(?${next}"`, at);
  }

  /** An escape; in a class (`inClass`) it may only stand for characters, and `\b` is a backspace. */
  private escape(inClass: boolean): Node | Range[] {
    const at = this.i;
    this.i++; // backslash
    const c = this.peek();
    if (c === undefined) throw new RegexSyntaxError('pattern ends with a lone "\\"', at);
    const ch = String.fromCodePoint(c);
    this.i++;
    const cls = (ranges: Range[], negated: boolean): Node | Range[] => {
      if (inClass) {
        if (negated) throw new RegexSyntaxError(`"\\${ch}" inside a character class is not supported`, at);
        return ranges;
      }
      return { t: 'class', cls: { ranges, negated } };
    };
    const lit = (cp: number): Node | Range[] => (inClass ? [[cp, cp]] : { t: 'lit', c: cp });
    switch (ch) {
      case 'd':
        return cls(DIGIT, false);
      case 'D':
        return cls(DIGIT, true);
      case 'w':
        return cls(WORD, false);
      case 'W':
        return cls(WORD, true);
      case 's':
        return cls(SPACE, false);
      case 'S':
        return cls(SPACE, true);
      case 'b':
        return inClass ? [[8, 8]] : { t: 'assert', kind: 'word' };
      case 'B':
        if (inClass) throw new RegexSyntaxError('"\\B" inside a character class is not supported', at);
        return { t: 'assert', kind: 'nonword' };
      case 'n':
        return lit(0x0a);
      case 'r':
        return lit(0x0d);
      case 't':
        return lit(0x09);
      case 'f':
        return lit(0x0c);
      case 'v':
        return lit(0x0b);
      case '0':
        if (this.peek() !== undefined && this.peek()! >= 0x30 && this.peek()! <= 0x39) {
          throw new RegexSyntaxError('octal escapes are not supported', at);
        }
        return lit(0);
      case 'x': {
        const m = /^[0-9A-Fa-f]{2}/.exec(this.src.slice(this.offsetOf(this.i)));
        if (!m) throw new RegexSyntaxError('"\\x" needs two hex digits', at);
        this.i += 2;
        return lit(parseInt(m[0], 16));
      }
      case 'u': {
        const m = /^(?:[0-9A-Fa-f]{4}|\{[0-9A-Fa-f]{1,6}\})/.exec(this.src.slice(this.offsetOf(this.i)));
        if (!m) throw new RegexSyntaxError('"\\u" needs four hex digits', at);
        this.i += m[0].length;
        const cp = parseInt(m[0].replace(/[{}]/g, ''), 16);
        if (cp > 0x10ffff) throw new RegexSyntaxError('"\\u{…}" is beyond the last code point', at);
        return lit(cp);
      }
      case 'k':
        throw new RegexSyntaxError('backreferences are not supported', at);
      default:
        if (c >= 0x31 && c <= 0x39) throw new RegexSyntaxError(`backreferences are not supported ("\\${ch}")`, at);
        if (/[A-Za-z0-9]/.test(ch)) throw new RegexSyntaxError(`unsupported escape "\\${ch}"`, at);
        return lit(c);
    }
  }

  private charClass(): CharClass {
    const at = this.i;
    this.i++; // [
    let negated = false;
    if (this.peek() === 0x5e) {
      negated = true;
      this.i++;
    }
    const ranges: Range[] = [];
    let first = true;
    for (;;) {
      const c = this.peek();
      if (c === undefined) throw new RegexSyntaxError('missing "]"', at);
      if (c === 0x5d /* ] */ && !first) {
        this.i++;
        break;
      }
      first = false;
      const lo = this.classAtom();
      if (this.peek() === 0x2d /* - */ && this.peek(1) !== undefined && this.peek(1) !== 0x5d) {
        const dashAt = this.i;
        this.i++;
        const hi = this.classAtom();
        if (lo.length !== 1 || hi.length !== 1 || lo[0][0] !== lo[0][1] || hi[0][0] !== hi[0][1]) {
          throw new RegexSyntaxError('a range in a character class must be between two characters', dashAt);
        }
        if (hi[0][0] < lo[0][0]) throw new RegexSyntaxError('character class range out of order', dashAt);
        ranges.push([lo[0][0], hi[0][0]]);
      } else ranges.push(...lo);
    }
    return { ranges, negated };
  }

  private classAtom(): Range[] {
    const c = this.peek()!;
    if (c === 0x5c) return this.escape(true) as Range[];
    if (c === 0x5b && this.peek(1) === 0x3a /* [: */) throw new RegexSyntaxError('POSIX classes like [:alpha:] are not supported', this.i);
    this.i++;
    return [[c, c]];
  }
}

// --- compilation to a Thompson NFA program ---

const OP_LIT = 0;
const OP_CLASS = 1;
const OP_ANY = 2;
const OP_SPLIT = 3;
const OP_JMP = 4;
const OP_MATCH = 5;
const OP_ASSERT = 6;

interface Inst {
  op: number;
  /** OP_LIT: lower-cased code point. */
  c: number;
  cls: CharClass | null;
  kind: AssertKind | null;
  x: number;
  y: number;
}

class Compiler {
  readonly prog: Inst[] = [];

  constructor(private readonly source: string) {}

  private emit(op: number, extra: Partial<Inst> = {}): number {
    if (this.prog.length >= MAX_PROGRAM_SIZE) {
      throw new RegexSyntaxError(`pattern is too large once repetitions are expanded (over ${MAX_PROGRAM_SIZE} steps)`, 0);
    }
    this.prog.push({ op, c: 0, cls: null, kind: null, x: 0, y: 0, ...extra });
    return this.prog.length - 1;
  }

  gen(n: Node): void {
    switch (n.t) {
      case 'empty':
        return;
      case 'lit':
        this.emit(OP_LIT, { c: lower(n.c) });
        return;
      case 'class':
        this.emit(OP_CLASS, { cls: n.cls });
        return;
      case 'any':
        this.emit(OP_ANY);
        return;
      case 'assert':
        this.emit(OP_ASSERT, { kind: n.kind });
        return;
      case 'cat':
        for (const x of n.xs) this.gen(x);
        return;
      case 'alt': {
        // split L1, next; L1: a; jmp end; next: split L2, ... ; last
        const jumps: number[] = [];
        for (let k = 0; k < n.xs.length - 1; k++) {
          const split = this.emit(OP_SPLIT);
          this.prog[split].x = this.prog.length;
          this.gen(n.xs[k]);
          jumps.push(this.emit(OP_JMP));
          this.prog[split].y = this.prog.length;
        }
        this.gen(n.xs[n.xs.length - 1]);
        for (const j of jumps) this.prog[j].x = this.prog.length;
        return;
      }
      case 'rep': {
        if (n.max === Infinity && n.min >= 1) {
          // x{m,}: m-1 copies, then L: x; split L, next (no extra copy of x for the loop).
          for (let k = 0; k < n.min - 1; k++) this.gen(n.x);
          const loop = this.prog.length;
          this.gen(n.x);
          const split = this.emit(OP_SPLIT, { x: loop });
          this.prog[split].y = this.prog.length;
          return;
        }
        for (let k = 0; k < n.min; k++) this.gen(n.x);
        if (n.max === Infinity) {
          const split = this.emit(OP_SPLIT);
          this.prog[split].x = this.prog.length;
          this.gen(n.x);
          this.emit(OP_JMP, { x: split });
          this.prog[split].y = this.prog.length;
        } else {
          const splits: number[] = [];
          for (let k = n.min; k < n.max; k++) {
            const split = this.emit(OP_SPLIT);
            this.prog[split].x = this.prog.length;
            splits.push(split);
            this.gen(n.x);
          }
          for (const s of splits) this.prog[s].y = this.prog.length;
        }
        return;
      }
    }
  }
}

/**
 * What the first character of any match can be, when that is knowable: null
 * when the pattern can match the empty string or starts with an assertion.
 * Used to skip ahead while no thread is alive.
 */
function firstChars(n: Node): { lits: Set<number>; classes: CharClass[]; any: boolean } | null {
  const out = { lits: new Set<number>(), classes: [] as CharClass[], any: false };
  // Returns true when `n` can match empty (so what follows also contributes first characters).
  const walk = (x: Node): boolean | 'unknown' => {
    switch (x.t) {
      case 'empty':
        return true;
      case 'lit':
        out.lits.add(lower(x.c));
        out.lits.add(upper(x.c));
        out.lits.add(x.c);
        return false;
      case 'class':
        out.classes.push(x.cls);
        return false;
      case 'any':
        out.any = true;
        return false;
      case 'assert':
        return 'unknown';
      case 'cat': {
        for (const y of x.xs) {
          const r = walk(y);
          if (r !== true) return r;
        }
        return true;
      }
      case 'alt': {
        let nullable = false;
        for (const y of x.xs) {
          const r = walk(y);
          if (r === 'unknown') return r;
          if (r) nullable = true;
        }
        return nullable;
      }
      case 'rep': {
        const r = walk(x.x);
        if (r === 'unknown') return r;
        return r || x.min === 0;
      }
    }
  };
  const r = walk(n);
  if (r !== false || out.any) return null;
  return out;
}

function isWordAt(cps: ArrayLike<number>, i: number): boolean {
  if (i < 0 || i >= cps.length) return false;
  return inRanges(WORD, cps[i]);
}

/** Counts the work a match did, so tests (and callers) can bound it. */
export interface MatchBudget {
  /** Thread steps taken so far (add to it across calls). */
  steps: number;
  /** Stop (and report `exhausted`) past this many steps. */
  readonly limit: number;
}

export type MatchResult = boolean | 'exhausted';

/** A compiled pattern. */
export class SafeRegex {
  /** The program as parallel typed arrays (the hot loop reads only these, plus classes from `prog`). */
  private readonly flat: { ops: Int32Array; xs: Int32Array; ys: Int32Array; cs: Int32Array };

  private constructor(
    readonly source: string,
    private readonly prog: Inst[],
    private readonly first: { lits: Set<number>; classes: CharClass[] } | null,
  ) {
    const kinds: Record<AssertKind, number> = { bol: 0, eol: 1, word: 2, nonword: 3 };
    this.flat = {
      ops: Int32Array.from(prog, (p) => p.op),
      xs: Int32Array.from(prog, (p) => p.x),
      ys: Int32Array.from(prog, (p) => p.y),
      cs: Int32Array.from(prog, (p) => (p.op === OP_ASSERT ? kinds[p.kind!] : p.c)),
    };
    this.usesWordBoundaries = prog.some((p) => p.op === OP_ASSERT && (p.kind === 'word' || p.kind === 'nonword'));
  }

  /** Can a match start with code point `c`? (Only called when `first` is known.) */
  private canStart(c: number): boolean {
    const f = this.first!;
    if (f.lits.has(c)) return true;
    for (const cls of f.classes) {
      const hit = inRanges(cls.ranges, c) || inRanges(cls.ranges, lower(c)) || inRanges(cls.ranges, upper(c));
      if (hit !== cls.negated) return true;
    }
    return false;
  }

  /** Compile `pattern`; throws RegexSyntaxError naming the problem and its position. */
  static compile(pattern: string): SafeRegex {
    if (pattern.length > MAX_PATTERN_LENGTH) throw new RegexSyntaxError(`pattern is longer than ${MAX_PATTERN_LENGTH} characters`, MAX_PATTERN_LENGTH);
    const ast = new Parser(pattern).parse();
    const c = new Compiler(pattern);
    c.gen(ast);
    c.prog.push({ op: OP_MATCH, c: 0, cls: null, kind: null, x: 0, y: 0 });
    return new SafeRegex(pattern, c.prog, firstChars(ast));
  }

  get programSize(): number {
    return this.prog.length;
  }

  /** Does the pattern match anywhere in `text` (case-insensitively)? */
  test(text: string, budget?: MatchBudget): MatchResult {
    return this.testCodePoints(SafeRegex.codePoints(text), budget);
  }

  /** The input form `testCodePoints` takes; convert once when testing many patterns on one text. */
  static codePoints(text: string): Uint32Array {
    const out = new Uint32Array(text.length);
    let n = 0;
    for (const ch of text) out[n++] = ch.codePointAt(0)!;
    return out.subarray(0, n);
  }

  testCodePoints(cps: Uint32Array, budget?: MatchBudget): MatchResult {
    return this.usesWordBoundaries ? this.pike(cps, budget) : this.lazyDfa(cps, budget);
  }

  // --- lazy DFA: the same NFA simulation, with the set of live states memoised per input character ---

  private readonly usesWordBoundaries: boolean;
  private dfa: { pcs: number[]; match: boolean; ascii: Int32Array; other: Map<number, number> }[] = [];
  private dfaIndex = new Map<string, number>();

  /** Does instruction pc consume code point c? */
  private consumes(pc: number, c: number): boolean {
    const { ops, cs } = this.flat;
    const op = ops[pc];
    if (op === OP_ANY) return c !== 0x0a;
    const lc = c < 0x80 ? (c >= 0x41 && c <= 0x5a ? c + 32 : c) : lower(c);
    if (op === OP_LIT) return cs[pc] === lc;
    if (op === OP_CLASS) {
      const cls = this.prog[pc].cls!;
      const uc = c < 0x80 ? (c >= 0x61 && c <= 0x7a ? c - 32 : c) : upper(c);
      return (inRanges(cls.ranges, c) || inRanges(cls.ranges, lc) || inRanges(cls.ranges, uc)) !== cls.negated;
    }
    return false;
  }

  /**
   * The consuming states reachable from `seeds` (and a fresh start thread) by
   * empty transitions; `^` holds only at the start, `$` only at the end.
   */
  private closure(seeds: number[], atStart: boolean, atEnd: boolean, work: { steps: number }): { pcs: number[]; match: boolean } {
    const { ops, xs, ys, cs } = this.flat;
    const seen = new Uint8Array(ops.length);
    const stack = [...seeds, 0];
    const pcs: number[] = [];
    let match = false;
    while (stack.length > 0) {
      const pc = stack.pop()!;
      if (seen[pc]) continue;
      seen[pc] = 1;
      work.steps++;
      const op = ops[pc];
      if (op === OP_JMP) stack.push(xs[pc]);
      else if (op === OP_SPLIT) stack.push(ys[pc], xs[pc]);
      else if (op === OP_ASSERT) {
        if ((cs[pc] === 0 && atStart) || (cs[pc] === 1 && atEnd)) stack.push(pc + 1);
      } else if (op === OP_MATCH) match = true;
      else pcs.push(pc);
    }
    pcs.sort((a, b) => a - b);
    return { pcs, match };
  }

  private intern(set: { pcs: number[]; match: boolean }): number {
    const key = set.match ? '!' : set.pcs.join(',');
    let id = this.dfaIndex.get(key);
    if (id === undefined) {
      if (this.dfa.length >= MAX_DFA_STATES) {
        // Bounded memory: start the cache afresh (states are rebuilt on demand).
        this.dfa = [];
        this.dfaIndex.clear();
      }
      id = this.dfa.length;
      this.dfa.push({ pcs: set.pcs, match: set.match, ascii: new Int32Array(128).fill(-1), other: new Map() });
      this.dfaIndex.set(key, id);
    }
    return id;
  }

  private lazyDfa(cps: Uint32Array, budget?: MatchBudget): MatchResult {
    const n = cps.length;
    const work = { steps: budget?.steps ?? 0 };
    const limit = budget?.limit ?? Infinity;
    const done = (r: MatchResult): MatchResult => {
      if (budget) budget.steps = work.steps;
      return r;
    };
    const advance = (pcs: number[], c: number) => pcs.filter((pc) => this.consumes(pc, c)).map((pc) => pc + 1);
    // Position 0 (where `^` holds) and position n (where `$` holds) are computed directly; the positions between
    // share one memoised transition table.
    const first = this.closure([], true, n === 0, work);
    if (first.match) return done(true);
    if (n === 0) return done(false);
    if (n === 1) return done(this.closure(advance(first.pcs, cps[0]), false, true, work).match);
    let state = this.intern(this.closure(advance(first.pcs, cps[0]), false, false, work));
    for (let pos = 1; pos < n - 1; pos++) {
      let s = this.dfa[state];
      if (s.match) return done(true);
      const c = cps[pos];
      let next = c < 128 ? s.ascii[c] : (s.other.get(c) ?? -1);
      if (next < 0 || next >= this.dfa.length) {
        const before = this.dfa.length;
        next = this.intern(this.closure(advance(s.pcs, c), false, false, work));
        if (this.dfa.length < before) {
          // The cache was reset: the current state object is gone, nothing to record.
        } else if (c < 128) s.ascii[c] = next;
        else if (s.other.size < 256) s.other.set(c, next);
        s = this.dfa[next];
      }
      state = next;
      work.steps++;
      if (work.steps > limit) return done('exhausted');
    }
    const last = this.dfa[state];
    if (last.match) return done(true);
    return done(this.closure(advance(last.pcs, cps[n - 1]), false, true, work).match);
  }

  /** The Pike VM (used when the pattern has word-boundary assertions, which depend on both neighbours). */
  private pike(cps: Uint32Array, budget?: MatchBudget): MatchResult {
    const { ops, xs, ys, cs } = this.flat;
    const classes = this.prog;
    const size = ops.length;
    let clist = new Int32Array(size);
    let nlist = new Int32Array(size);
    let ccount = 0;
    let ncount = 0;
    // visited[pc] === generation: pc is already in the list being built.
    const visited = new Int32Array(size).fill(-1);
    const stack = new Int32Array(size * 2 + 2);
    let generation = 0;
    let steps = budget?.steps ?? 0;
    const limit = budget?.limit ?? Infinity;
    const n = cps.length;
    let matched = false;

    // Follow the empty transitions from `start` at input position `pos`, adding the consuming states to `list`.
    const addThread = (list: Int32Array, count: number, start: number, pos: number): number => {
      let sp = 0;
      stack[sp++] = start;
      while (sp > 0) {
        const pc = stack[--sp];
        if (visited[pc] === generation) continue;
        visited[pc] = generation;
        steps++;
        const op = ops[pc];
        if (op === OP_JMP) stack[sp++] = xs[pc];
        else if (op === OP_SPLIT) {
          stack[sp++] = ys[pc];
          stack[sp++] = xs[pc];
        } else if (op === OP_ASSERT) {
          const kind = cs[pc];
          let ok: boolean;
          if (kind === 0) ok = pos === 0;
          else if (kind === 1) ok = pos === n;
          else {
            const boundary = isWordAt(cps, pos - 1) !== isWordAt(cps, pos);
            ok = kind === 2 ? boundary : !boundary;
          }
          if (ok) stack[sp++] = pc + 1;
        } else {
          if (op === OP_MATCH) matched = true;
          list[count++] = pc;
        }
      }
      return count;
    };

    for (let pos = 0; ; pos++) {
      // No thread alive: skip to the next position where a match could start.
      if (ccount === 0 && this.first) {
        while (pos < n && !this.canStart(cps[pos])) {
          pos++;
          steps++;
        }
        if (pos >= n) break;
      }
      // Unanchored search: a fresh thread starts at every position.
      ccount = addThread(clist, ccount, 0, pos);
      if (matched) break;
      if (steps > limit) {
        if (budget) budget.steps = steps;
        return 'exhausted';
      }
      if (pos >= n) break;
      generation++;
      ncount = 0;
      const c = cps[pos];
      const lc = c < 0x80 ? (c >= 0x41 && c <= 0x5a ? c + 32 : c) : lower(c);
      for (let k = 0; k < ccount; k++) {
        const pc = clist[k];
        const op = ops[pc];
        steps++;
        let ok = false;
        if (op === OP_LIT) ok = cs[pc] === lc;
        else if (op === OP_ANY) ok = c !== 0x0a;
        else if (op === OP_CLASS) {
          const cls = classes[pc].cls!;
          const uc = c < 0x80 ? (c >= 0x61 && c <= 0x7a ? c - 32 : c) : upper(c);
          const hit = inRanges(cls.ranges, c) || inRanges(cls.ranges, lc) || inRanges(cls.ranges, uc);
          ok = hit !== cls.negated;
        }
        if (ok) ncount = addThread(nlist, ncount, pc + 1, pos + 1);
      }
      const t = clist;
      clist = nlist;
      nlist = t;
      ccount = ncount;
      if (matched) break;
    }
    if (budget) budget.steps = steps;
    return matched;
  }
}
