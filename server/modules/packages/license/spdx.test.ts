import { describe, expect, it } from 'vitest';
import { parseLicenseExpression } from './spdx';

describe('parseLicenseExpression', () => {
  it.each([
    ['MIT', 'MIT'],
    ['mit', 'MIT'],
    ['MIT or Apache-2.0', 'MIT OR Apache-2.0'],
    ['mit OR apache-2.0', 'MIT OR Apache-2.0'],
    ['(MIT OR ISC) AND GPL-3.0', '(MIT OR ISC) AND GPL-3.0-only'],
    ['MIT AND ISC OR 0BSD', '(MIT AND ISC) OR 0BSD'],
    ['MIT OR ISC OR 0BSD', 'MIT OR ISC OR 0BSD'],
    ['GPL-2.0', 'GPL-2.0-only'],
    ['GPL-2.0+', 'GPL-2.0-or-later'],
    ['GPL-2.0-only+', 'GPL-2.0-or-later'],
    ['GPL-2.0-or-later', 'GPL-2.0-or-later'],
    ['LGPL-2.1', 'LGPL-2.1-only'],
    ['LGPL-2.1+', 'LGPL-2.1-or-later'],
    ['AGPL-3.0', 'AGPL-3.0-only'],
    ['GFDL-1.3', 'GFDL-1.3-only'],
    ['GPL-2.0-with-classpath-exception', 'GPL-2.0-only WITH Classpath-exception-2.0'],
    ['GPL-3.0-with-GCC-exception', 'GPL-3.0-only WITH GCC-exception-3.1'],
    ['BSD-2-Clause-NetBSD', 'BSD-2-Clause'],
    ['Apache-1.0+', 'Apache-1.0+'],
    ['apache-2.0 with llvm-exception', 'Apache-2.0 WITH LLVM-exception'],
    ['licenseref-acme', 'LicenseRef-acme'],
    ['  MIT\n  OR\tISC ', 'MIT OR ISC'],
  ])('%j → %j', (input, expected) => {
    const parsed = parseLicenseExpression(input);
    expect(parsed.ok && parsed.expression).toBe(expected);
  });

  it.each(['', 'NOASSERTION', 'NONE', 'MIT License', 'Apache 2.0', 'BSD', 'UNLICENSED', 'MIT OR', 'GPL-2.0 +', '(MIT'])(
    '%j is not an SPDX expression',
    (input) => {
      const parsed = parseLicenseExpression(input);
      expect(parsed.ok).toBe(false);
      expect(!parsed.ok && parsed.reason.length).toBeGreaterThan(0);
    },
  );
});
