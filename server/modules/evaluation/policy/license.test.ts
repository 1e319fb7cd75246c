import { describe, expect, it } from 'vitest';
import type { LicenseFact } from '../../packages/facts';
import { licenseFromNpm, licenseFromPypi, unknownLicense } from '../../packages/license/sources';
import { canonicaliseLicenseList, evaluateLicense, type LicenseLists } from './license';

/** lex-align's starter policy, written the way its users write it (deprecated ids included). */
const STARTER: LicenseLists = {
  autoApprove: ['MIT', 'Apache-2.0', 'BSD-3-Clause', 'BSD-2-Clause', 'ISC'],
  hardBan: ['AGPL-3.0', 'GPL-3.0', 'GPL-2.0'],
  review: ['LGPL-2.1', 'MPL-2.0'],
};

const spdx = (expression: string): LicenseFact => licenseFromNpm({ license: expression });
const lists = (over: Partial<LicenseLists>): LicenseLists => ({ autoApprove: [], hardBan: [], review: [], ...over });

describe('canonicaliseLicenseList', () => {
  it.each([
    [['MIT', 'apache-2.0'], ['MIT', 'Apache-2.0'], []],
    [['GPL-3.0'], ['GPL-3.0-only'], []],
    [['GPL-2.0', 'LGPL-2.1', 'AGPL-3.0'], ['GPL-2.0-only', 'LGPL-2.1-only', 'AGPL-3.0-only'], []],
    [['BSD'], ['BSD-3-Clause', 'BSD-2-Clause'], []],
    [['Apache 2.0', 'MIT License'], ['Apache-2.0', 'MIT'], []],
    [['GPL-2.0+'], ['GPL-2.0-or-later', 'GPL-2.0-only', 'GPL-3.0-only'], []],
    [['LGPL-2.1-or-later'], ['LGPL-2.1-or-later', 'LGPL-2.1-only', 'LGPL-3.0-only'], []],
    [['Apache-2.0 WITH LLVM-exception'], ['Apache-2.0 WITH LLVM-exception'], []],
    [['LicenseRef-acme'], ['LicenseRef-acme'], []],
    [['MIT', 'mit', ' MIT '], ['MIT'], []],
    [['Proprietary', '', 'MIT'], ['MIT'], ['Proprietary']],
  ])('%j → %j (unrecognised %j)', (entries, ids, unrecognised) => {
    expect(canonicaliseLicenseList(entries)).toEqual({ ids, unrecognised });
  });
});

describe('evaluateLicense', () => {
  it('UNLICENSED is never read as the Unlicense, even when the Unlicense is approved', () => {
    const fact = licenseFromNpm({ license: 'UNLICENSED' });
    expect(fact.expression).toBeNull();
    expect(fact.raw).toBe('UNLICENSED');
    const evaluation = evaluateLicense(fact, lists({ autoApprove: ['Unlicense'] }));
    expect(evaluation.class).toBe('unknown');
    expect(evaluation.explanation).toContain('UNLICENSED: proprietary, all rights reserved');
  });

  it.each([
    // [label, fact, lists, class, elected, offending]
    ['BSD License classifier vs BSD-3/BSD-2 approved', licenseFromPypi({ classifiers: ['License :: OSI Approved :: BSD License'] }), lists({ autoApprove: ['MIT', 'Apache-2.0', 'BSD-3-Clause', 'BSD-2-Clause', 'ISC'] }), 'auto_approve', 'BSD-3-Clause', []],
    ['BSD License classifier vs a legacy `BSD` entry', licenseFromPypi({ classifiers: ['License :: OSI Approved :: BSD License'] }), lists({ autoApprove: ['BSD'] }), 'auto_approve', 'BSD-3-Clause', []],
    ['BSD License classifier vs MIT only', licenseFromPypi({ classifiers: ['License :: OSI Approved :: BSD License'] }), lists({ autoApprove: ['MIT'] }), 'not_approved', 'BSD-3-Clause', ['BSD-3-Clause', 'BSD-2-Clause']],
    ['MIT OR Apache-2.0', spdx('MIT OR Apache-2.0'), STARTER, 'auto_approve', 'MIT', []],
    ['Apache-2.0 OR MIT elects the first approved branch', spdx('Apache-2.0 OR MIT'), STARTER, 'auto_approve', 'Apache-2.0', []],
    ['MIT OR GPL-3.0-only, GPL-3.0 banned', spdx('MIT OR GPL-3.0-only'), STARTER, 'auto_approve', 'MIT', []],
    ['GPL-3.0-only OR MIT, GPL-3.0 banned', spdx('GPL-3.0-only OR MIT'), STARTER, 'auto_approve', 'MIT', []],
    ['MIT AND GPL-3.0-only', spdx('MIT AND GPL-3.0-only'), STARTER, 'hard_ban', null, ['GPL-3.0-only']],
    ['GPL-3.0-only OR AGPL-3.0-only, both banned', spdx('GPL-3.0-only OR AGPL-3.0-only'), STARTER, 'hard_ban', null, ['GPL-3.0-only', 'AGPL-3.0-only']],
    ['GPL-2.0-or-later vs ban [GPL-3.0-only]', spdx('GPL-2.0-or-later'), lists({ autoApprove: ['MIT'], hardBan: ['GPL-3.0-only'] }), 'not_approved', 'GPL-2.0-only', ['GPL-2.0-only']],
    ['GPL-2.0-or-later vs legacy ban [GPL-2.0, GPL-3.0]', spdx('GPL-2.0-or-later'), lists({ hardBan: ['GPL-2.0', 'GPL-3.0'] }), 'hard_ban', null, ['GPL-2.0-only', 'GPL-3.0-only']],
    ['GPL-2.0+ (deprecated +) vs legacy ban [GPL-2.0, GPL-3.0]', spdx('GPL-2.0+'), lists({ hardBan: ['GPL-2.0', 'GPL-3.0'] }), 'hard_ban', null, ['GPL-2.0-only', 'GPL-3.0-only']],
    ['GPL-2.0-or-later listed as such in the ban list', spdx('GPL-2.0-or-later'), lists({ hardBan: ['GPL-2.0-or-later'] }), 'hard_ban', null, ['GPL-2.0-or-later']],
    ['GPL-3.0-or-later vs legacy ban [GPL-3.0]', spdx('GPL-3.0-or-later'), lists({ hardBan: ['GPL-3.0'] }), 'hard_ban', null, ['GPL-3.0-only']],
    ['GPL-2.0-or-later, GPL-3.0-only approved and GPL-2.0 banned', spdx('GPL-2.0-or-later'), lists({ autoApprove: ['GPL-3.0-only'], hardBan: ['GPL-2.0'] }), 'auto_approve', 'GPL-3.0-only', []],
    ['GPL-3.0-only vs approve [GPL-2.0+] (range entry)', spdx('GPL-3.0-only'), lists({ autoApprove: ['GPL-2.0+'] }), 'auto_approve', null, []],
    ['GPL-2.0 (deprecated id in metadata) vs STARTER', spdx('GPL-2.0'), STARTER, 'hard_ban', null, ['GPL-2.0-only']],
    ['LGPLv2+ text vs STARTER (LGPL-2.1 on review)', licenseFromPypi({ license: 'LGPLv2+' }), STARTER, 'review', 'LGPL-2.1-only', ['LGPL-2.1-only']],
    ['LGPL-2.1 in the review list', spdx('LGPL-2.1-only'), STARTER, 'review', null, ['LGPL-2.1-only']],
    ['legacy LGPL-2.1 id in metadata, review list', spdx('LGPL-2.1'), STARTER, 'review', null, ['LGPL-2.1-only']],
    ['MPL-2.0 in the review list', spdx('MPL-2.0'), STARTER, 'review', null, ['MPL-2.0']],
    ['EPL-2.0 on no list', spdx('EPL-2.0'), STARTER, 'not_approved', null, ['EPL-2.0']],
    ['MIT AND LicenseRef-acme', spdx('MIT AND LicenseRef-acme'), STARTER, 'unknown', null, ['LicenseRef-acme']],
    ['MIT AND LicenseRef-acme, the ref approved', spdx('MIT AND LicenseRef-acme'), lists({ autoApprove: ['MIT', 'licenseref-ACME'] }), 'auto_approve', null, []],
    ['MIT OR LicenseRef-acme', spdx('MIT OR LicenseRef-acme'), STARTER, 'auto_approve', 'MIT', []],
    ['EPL-2.0 OR LicenseRef-acme', spdx('EPL-2.0 OR LicenseRef-acme'), STARTER, 'unknown', 'LicenseRef-acme', ['LicenseRef-acme']],
    ['EPL-2.0 AND LicenseRef-acme', spdx('EPL-2.0 AND LicenseRef-acme'), STARTER, 'not_approved', null, ['EPL-2.0']],
    ['LGPL-2.1-only AND LicenseRef-acme: review is not skipped', spdx('LGPL-2.1-only AND LicenseRef-acme'), STARTER, 'review', null, ['LGPL-2.1-only']],
    ['(MIT OR GPL-3.0-only) AND ISC', spdx('(MIT OR GPL-3.0-only) AND ISC'), STARTER, 'auto_approve', 'MIT AND ISC', []],
    ['(GPL-3.0-only OR EPL-2.0) AND MIT', spdx('(GPL-3.0-only OR EPL-2.0) AND MIT'), STARTER, 'not_approved', 'EPL-2.0 AND MIT', ['EPL-2.0']],
    ['PEP 639 Apache-2.0 WITH LLVM-exception, base approved', licenseFromPypi({ license_expression: 'Apache-2.0 WITH LLVM-exception' }), STARTER, 'review', null, ['Apache-2.0 WITH LLVM-exception']],
    ['Apache-2.0 WITH LLVM-exception listed whole', spdx('Apache-2.0 WITH LLVM-exception'), lists({ autoApprove: ['Apache-2.0 WITH LLVM-exception'] }), 'auto_approve', null, []],
    ['GPL-2.0-only WITH Classpath-exception-2.0, GPL-2.0 banned', spdx('GPL-2.0-with-classpath-exception'), STARTER, 'hard_ban', null, ['GPL-2.0-only']],
    ['GPL-2.0-only WITH Classpath-exception-2.0 approved whole despite the base ban', spdx('GPL-2.0-only WITH Classpath-exception-2.0'), { ...STARTER, autoApprove: ['GPL-2.0-only WITH Classpath-exception-2.0'] }, 'auto_approve', null, []],
    ['a compound banned whole', spdx('Apache-2.0 WITH LLVM-exception'), lists({ autoApprove: ['Apache-2.0'], hardBan: ['Apache-2.0 WITH LLVM-exception'] }), 'hard_ban', null, ['Apache-2.0 WITH LLVM-exception']],
    ['EPL-2.0 WITH Classpath-exception-2.0, base on no list', spdx('EPL-2.0 WITH Classpath-exception-2.0'), STARTER, 'not_approved', null, ['EPL-2.0']],
    ['a ban beats auto-approve', spdx('MIT'), lists({ autoApprove: ['MIT'], hardBan: ['MIT'] }), 'hard_ban', null, ['MIT']],
    ['review beats auto-approve', spdx('MIT'), lists({ autoApprove: ['MIT'], review: ['MIT'] }), 'review', null, ['MIT']],
    ['case-insensitive list matching', spdx('Apache-2.0'), lists({ autoApprove: ['APACHE-2.0'] }), 'auto_approve', null, []],
    ['empty lists: default deny', spdx('MIT'), lists({}), 'not_approved', null, ['MIT']],
    ['MIT-0 is not MIT', spdx('MIT-0'), STARTER, 'not_approved', null, ['MIT-0']],
  ] as const)('%s', (_label, fact, policy, cls, elected, offending) => {
    const evaluation = evaluateLicense(fact, policy);
    expect(evaluation.class).toBe(cls);
    expect(evaluation.elected).toBe(elected);
    expect(evaluation.offending).toEqual(offending);
    expect(evaluation.explanation).toMatch(/^[A-Z].*\.$/);
  });

  it('an UNKNOWN fact is unknown, and the explanation carries the reason', () => {
    const evaluation = evaluateLicense(unknownLicense('PyPI metadata fetch failed: timeout'), STARTER);
    expect(evaluation).toEqual({
      class: 'unknown',
      elected: null,
      offending: [],
      explanation: 'The license is UNKNOWN (PyPI metadata fetch failed: timeout), so the unknown-license policy decides.',
    });
  });

  it('SEE LICENSE IN is unknown, not an error', () => {
    expect(evaluateLicense(licenseFromNpm({ license: 'SEE LICENSE IN LICENSE.md' }), STARTER).class).toBe('unknown');
  });

  describe('explanations name what an agent can act on', () => {
    it.each([
      [spdx('MIT AND GPL-3.0-only'), 'License MIT AND GPL-3.0-only is hard-banned by the enterprise policy because of GPL-3.0-only; choose a package under a different license.'],
      [spdx('GPL-3.0-only'), 'License GPL-3.0-only is hard-banned by the enterprise policy; choose a package under a different license.'],
      [spdx('MIT OR GPL-3.0-only'), 'License MIT OR GPL-3.0-only is auto-approved by electing MIT.'],
      [spdx('MIT'), 'License MIT is on the auto-approve list.'],
      [spdx('EPL-2.0'), 'License EPL-2.0 is not on the auto-approve list; add it to global_policies.auto_approve_licenses if it should be permitted.'],
      [spdx('LGPL-2.1-only'), 'License LGPL-2.1-only requires human legal review under the enterprise policy; request approval and wait for the decision.'],
      [spdx('Apache-2.0 WITH LLVM-exception'), 'License Apache-2.0 WITH LLVM-exception: Apache-2.0 is auto-approved but the exception LLVM-exception is on no list, so it needs human legal review before use.'],
      [spdx('MIT AND LicenseRef-acme'), 'License MIT AND LicenseRef-acme depends on LicenseRef-acme, which no policy list names, so it is treated as UNKNOWN and the unknown-license policy decides.'],
    ])('%j', (fact, explanation) => {
      expect(evaluateLicense(fact, STARTER).explanation).toBe(explanation);
    });

    it('an or-later license names the version that decided', () => {
      // GPL-3.0-only is banned, so GPL-2.0-only is the best option and it is on no list.
      const evaluation = evaluateLicense(spdx('GPL-2.0-or-later'), lists({ autoApprove: ['MIT'], hardBan: ['GPL-3.0-only'] }));
      expect(evaluation.explanation).toBe(
        'License GPL-2.0-or-later is not auto-approved: GPL-2.0-only is on no policy list; add it to global_policies.auto_approve_licenses if it should be permitted.',
      );
    });
  });
});
