import { describe, expect, it } from 'vitest';
import { RegexSyntaxError, SafeRegex } from './safe-regex';

/** Patterns in the accepted subset, checked against JavaScript's own engine (case-insensitive search). */
const AGREES: [string, string[]][] = [
  ['transfer|payment|invoice|withdraw', ['http.transfer_funds', 'PAYMENT', 'read file', '']],
  ['(export|upload|send).*(pii|ssn|secret|credential|password)', ['{"action":"email.send","params":{"body":"the SSN is"}}', 'send nothing', 'upload → secret']],
  ['^github\\.merge_pr$', ['github.merge_pr', 'xgithub.merge_pr', 'github.merge_pr ', 'GITHUB.MERGE_PR']],
  ['a{2,3}b', ['ab', 'aab', 'aaab', 'aaaab', 'b']],
  ['a{2}', ['a', 'aa']],
  ['x{2,}', ['x', 'xx', 'xxxxx']],
  ['colou?r', ['color', 'colour', 'colouur']],
  ['[a-c]+\\d', ['abc1', 'ABC2', 'xyz3', 'c']],
  ['[^a-z0-9]', ['abc', 'ab-c', 'ABC']],
  ['\\bdrop\\b', ['drop table', 'dropbox', 'a drop', 'airdrop']],
  ['\\Bdrop', ['airdrop', 'drop']],
  ['\\w+@\\w+\\.com', ['me@example.com', 'me@example.org']],
  ['\\s', ['a b', 'ab']],
  ['(?:ab)+c', ['ababc', 'ac', 'abc']],
  ['(?<verb>delete|drop)_(table|db)', ['drop_db', 'delete_table', 'drop_index']],
  ['a.c', ['abc', 'a\nc', 'ac']],
  ['\\$\\d+\\.\\d{2}', ['$12.50', '12.50', '$1.5']],
  ['[.*+?]', ['a.b', 'ab', 'a?']],
  ['\\x41\\u0042', ['ab', 'AB', 'ac']],
  ['(a|)+b', ['b', 'aab', 'c']],
  ['(a*)*$', ['', 'aaa', 'b']],
  ['rm -rf /', ['sudo rm -rf / now', 'rm -r /']],
  ['café', ['CAFÉ', 'cafe']],
];

describe('SafeRegex', () => {
  for (const [pattern, inputs] of AGREES) {
    it(`agrees with RegExp on /${pattern}/i`, () => {
      const re = SafeRegex.compile(pattern);
      const js = new RegExp(pattern, 'iu');
      for (const input of inputs) expect([input, re.test(input)]).toEqual([input, js.test(input)]);
    });
  }

  it.each([
    ['(a)\\1', /backreferences/],
    ['(?<x>a)\\k<x>', /backreferences/],
    ['foo(?=bar)', /lookahead/],
    ['foo(?!bar)', /lookahead/],
    ['(?<=a)b', /lookbehind/],
    ['(?<!a)b', /lookbehind/],
    ['(?>a+)b', /atomic/],
    ['a++', /possessive/],
    ['(abc', /missing "\)"/],
    ['abc)', /unmatched "\)"/],
    ['*a', /nothing to repeat/],
    ['[abc', /missing "\]"/],
    ['[z-a]', /out of order/],
    ['a{5,2}', /out of order/],
    ['a{2000}', /above 1000/],
    ['abc\\', /lone/],
    ['\\p{L}', /unsupported escape/],
    ['(a{1000}){1000}', /too large/],
    ['x'.repeat(1001), /longer than 1000/],
  ])('refuses pattern #%# naming the problem', (pattern, message) => {
    expect(() => SafeRegex.compile(pattern)).toThrow(RegexSyntaxError);
    expect(() => SafeRegex.compile(pattern)).toThrow(message);
  });

  it('runs a catastrophic-backtracking pattern in work linear in the input', () => {
    const re = SafeRegex.compile('(a+)+$');
    const small = { steps: 0, limit: Infinity };
    const big = { steps: 0, limit: Infinity };
    expect(re.test('a'.repeat(5_000) + 'b', small)).toBe(false);
    expect(re.test('a'.repeat(50_000) + 'b', big)).toBe(false);
    // Ten times the input, ten times the work (give or take the constant), never exponential.
    expect(big.steps / small.steps).toBeGreaterThan(9);
    expect(big.steps / small.steps).toBeLessThan(11);
    expect(big.steps).toBeLessThanOrEqual(50_001 * re.programSize * 2);
    expect(re.test('a'.repeat(50_000))).toBe(true);
  });

  it('stays right when its state cache fills up and starts afresh (2^12 reachable states)', () => {
    const re = SafeRegex.compile('a[ab]{11}$');
    let seed = 7;
    const rand = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
    const chars: string[] = Array.from({ length: 20_000 }, () => (rand() < 0.5 ? 'a' : 'b'));
    for (const c of ['a', 'b']) {
      chars[chars.length - 12] = c;
      const text = chars.join('');
      expect(re.test(text)).toBe(/a[ab]{11}$/.test(text));
      expect(re.test(text)).toBe(c === 'a');
    }
  });

  it('stops when the step budget is spent', () => {
    const re = SafeRegex.compile('(x|y|z)*q');
    const budget = { steps: 0, limit: 1000 };
    expect(re.test('xyz'.repeat(10_000), budget)).toBe('exhausted');
    expect(budget.steps).toBeGreaterThan(1000);
    expect(budget.steps).toBeLessThan(1000 + 10 * re.programSize);
  });
});
