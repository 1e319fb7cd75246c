import { describe, expect, it } from 'vitest';
import type { LicenseFact } from '../facts';
import { licenseFromNpm, licenseFromPypi, unknownLicense } from './sources';

const spdx = (expression: string): LicenseFact => licenseFromNpm({ license: expression });

describe('licenseFromPypi', () => {
  it.each([
    // PEP 639 first
    [{ license_expression: 'Apache-2.0 WITH LLVM-exception' }, 'license_expression', 'Apache-2.0 WITH LLVM-exception'],
    [{ license_expression: 'mit', license: 'GPLv3', classifiers: ['License :: OSI Approved :: GNU General Public License v3 (GPLv3)'] }, 'license_expression', 'MIT'],
    // then `license`
    [{ license: 'MIT' }, 'license', 'MIT'],
    [{ license: 'MIT License' }, 'license', 'MIT'],
    [{ license: 'Apache 2.0' }, 'license', 'Apache-2.0'],
    [{ license: 'Apache License, Version 2.0' }, 'license', 'Apache-2.0'],
    [{ license: 'BSD' }, 'license', 'BSD-3-Clause OR BSD-2-Clause'],
    [{ license: 'BSD 3-Clause' }, 'license', 'BSD-3-Clause'],
    [{ license: 'New BSD License' }, 'license', 'BSD-3-Clause'],
    [{ license: 'Simplified BSD' }, 'license', 'BSD-2-Clause'],
    [{ license: 'GPLv2+' }, 'license', 'GPL-2.0-or-later'],
    [{ license: 'LGPLv2+' }, 'license', 'LGPL-2.0-or-later'],
    [{ license: 'LGPL v2.1' }, 'license', 'LGPL-2.1-only'],
    [{ license: 'LGPL v3' }, 'license', 'LGPL-3.0-only'],
    [{ license: 'AGPLv3' }, 'license', 'AGPL-3.0-only'],
    [{ license: 'GPL-2.0' }, 'license', 'GPL-2.0-only'],
    [{ license: 'GNU General Public License v3' }, 'license', 'GPL-3.0-only'],
    [{ license: 'GNU Lesser General Public License v3' }, 'license', 'LGPL-3.0-only'],
    [{ license: 'GPL v2 or later' }, 'license', 'GPL-2.0-or-later'],
    [{ license: 'GPL (v2 or later)' }, 'license', 'GPL-2.0-or-later'],
    [{ license: 'GPL' }, 'license', 'GPL-1.0-or-later'],
    [{ license: 'PSF' }, 'license', 'PSF-2.0'],
    [{ license: 'Python Software Foundation License' }, 'license', 'PSF-2.0'],
    [{ license: 'MPL 2.0' }, 'license', 'MPL-2.0'],
    [{ license: 'ISC' }, 'license', 'ISC'],
    [{ license: 'Zlib' }, 'license', 'Zlib'],
    [{ license: 'MIT or Apache 2.0' }, 'license', 'MIT OR Apache-2.0'],
    [{ license: 'Apache-2.0 OR BSD-3-Clause' }, 'license', 'Apache-2.0 OR BSD-3-Clause'],
    // then classifiers
    [{ classifiers: ['License :: OSI Approved :: BSD License'] }, 'classifier', 'BSD-3-Clause OR BSD-2-Clause'],
    [{ classifiers: ['License :: OSI Approved :: MIT License'] }, 'classifier', 'MIT'],
    [{ classifiers: ['License :: OSI Approved :: Apache Software License'] }, 'classifier', 'Apache-2.0'],
    [{ classifiers: ['License :: OSI Approved :: GNU General Public License v3 (GPLv3)'] }, 'classifier', 'GPL-3.0-only'],
    [{ classifiers: ['License :: OSI Approved :: GNU General Public License v2 or later (GPLv2+)'] }, 'classifier', 'GPL-2.0-or-later'],
    [{ classifiers: ['License :: OSI Approved :: GNU Lesser General Public License v2 or later (LGPLv2+)'] }, 'classifier', 'LGPL-2.0-or-later'],
    [{ classifiers: ['License :: OSI Approved :: Mozilla Public License 2.0 (MPL 2.0)'] }, 'classifier', 'MPL-2.0'],
    [{ classifiers: ['License :: OSI Approved :: ISC License (ISCL)'] }, 'classifier', 'ISC'],
    [{ classifiers: ['License :: OSI Approved :: Python Software Foundation License'] }, 'classifier', 'PSF-2.0'],
    [{ classifiers: ['License :: OSI Approved :: Boost Software License 1.0 (BSL-1.0)'] }, 'classifier', 'BSL-1.0'],
    [{ classifiers: ['License :: OSI Approved :: Eclipse Public License 2.0 (EPL-2.0)'] }, 'classifier', 'EPL-2.0'],
    [{ classifiers: ['License :: OSI Approved :: GNU Library or Lesser General Public License (LGPL)'] }, 'classifier', 'LGPL-2.0-or-later'],
    [{ classifiers: ['License :: CC0 1.0 Universal (CC0 1.0) Public Domain Dedication'] }, 'classifier', 'CC0-1.0'],
    // several license classifiers = dual licensing (OR); non-license classifiers ignored
    [
      {
        classifiers: [
          'Development Status :: 5 - Production/Stable',
          'License :: OSI Approved :: Apache Software License',
          'License :: OSI Approved :: BSD License',
          'Programming Language :: Python :: 3',
        ],
      },
      'classifier',
      'Apache-2.0 OR BSD-3-Clause OR BSD-2-Clause',
    ],
    // a proprietary or unrecognised classifier beside a known one only removes an option
    [{ classifiers: ['License :: Other/Proprietary License', 'License :: OSI Approved :: MIT License'] }, 'classifier', 'MIT'],
    [{ classifiers: ['License :: OSI Approved', 'License :: OSI Approved :: MIT License'] }, 'classifier', 'MIT'],
    // an unreadable source falls through to the next
    [{ license: 'UNKNOWN', classifiers: ['License :: OSI Approved :: MIT License'] }, 'classifier', 'MIT'],
    [{ license: 'Dual License', classifiers: ['License :: OSI Approved :: MIT License'] }, 'classifier', 'MIT'],
    [{ license_expression: 'not an expression', license: 'MIT' }, 'license', 'MIT'],
    [{ license: '', classifiers: ['License :: OSI Approved :: ISC License (ISCL)'] }, 'classifier', 'ISC'],
  ] as const)('%j → %s %j', (info, source, expression) => {
    const fact = licenseFromPypi(info);
    expect(fact).toMatchObject({ source, expression, normalized: expression, unknownReason: null });
    expect(fact.raw).not.toBeNull();
  });

  it('keeps the published text as raw', () => {
    expect(licenseFromPypi({ license: ' MIT License ' })).toEqual({
      raw: 'MIT License',
      source: 'license',
      expression: 'MIT',
      normalized: 'MIT',
      unknownReason: null,
    });
  });

  it.each([
    [{}, /no license published/],
    [{ license: null, license_expression: null, classifiers: null }, /no license published/],
    [{ license: 'UNKNOWN' }, /no license published/],
    [{ classifiers: ['Programming Language :: Python'] }, /no license published/],
    [{ license: 'Public Domain' }, /public domain is not an SPDX license/],
    [{ license: 'Proprietary' }, /proprietary/],
    [{ license: 'BSD-style' }, /not an SPDX expression or a recognised license name/],
    [{ license: 'Some custom terms, ask us' }, /not an SPDX expression or a recognised license name/],
    [{ license: 'see LICENSE.txt' }, /license is in a file/],
    [{ license: 'GPLv4' }, /not an SPDX expression/],
    [{ license_expression: 'MIT AND', classifiers: [] }, /license_expression "MIT AND" is not a valid SPDX expression/],
    [{ classifiers: ['License :: Other/Proprietary License'] }, /proprietary/],
    [{ classifiers: ['License :: Freeware'] }, /classifier "License :: Freeware" is not recognised/],
  ] as const)('%j → UNKNOWN (%s)', (info, reason) => {
    const fact = licenseFromPypi(info);
    expect(fact.expression).toBeNull();
    expect(fact.normalized).toBe('UNKNOWN');
    expect(fact.unknownReason).toMatch(reason);
  });

  it('an unreadable license with an unreadable classifier gives both reasons, raw from the first', () => {
    const fact = licenseFromPypi({ license: 'Dual License', classifiers: ['License :: Freeware'] });
    expect(fact).toMatchObject({ raw: 'Dual License', source: 'license', expression: null });
    expect(fact.unknownReason).toMatch(/names no specific license.*; classifier "License :: Freeware"/);
  });

  describe('full license texts pasted into `license`', () => {
    const MIT_TEXT = `MIT License

Copyright (c) 2021 Example Authors

Permission is hereby granted, free of charge, to any person obtaining a copy
of this software and associated documentation files (the "Software"), to deal
in the Software without restriction, including without limitation the rights
to use, copy, modify, merge, publish, distribute, sublicense, and/or sell
copies of the Software, and to permit persons to whom the Software is
furnished to do so, subject to the following conditions:

The above copyright notice and this permission notice shall be included in all
copies or substantial portions of the Software.

THE SOFTWARE IS PROVIDED "AS IS", WITHOUT WARRANTY OF ANY KIND.`;
    const BSD_PREAMBLE = `Copyright (c) 2010, Example
All rights reserved.

Redistribution and use in source and binary forms, with or without
modification, are permitted provided that the following conditions are met:

1. Redistributions of source code must retain the above copyright notice,
   this list of conditions and the following disclaimer.
2. Redistributions in binary form must reproduce the above copyright notice,
   this list of conditions and the following disclaimer in the documentation
   and/or other materials provided with the distribution.`;
    const BSD3_TEXT = `${BSD_PREAMBLE}
3. Neither the name of the copyright holder nor the names of its
   contributors may be used to endorse or promote products derived from
   this software without specific prior written permission.

THIS SOFTWARE IS PROVIDED BY THE COPYRIGHT HOLDERS AND CONTRIBUTORS "AS IS".`;
    const BSD4_TEXT = `${BSD_PREAMBLE}
3. All advertising materials mentioning features or use of this software
   must display the following acknowledgement.`;
    const GPL3_TEXT = `                    GNU GENERAL PUBLIC LICENSE
                       Version 3, 29 June 2007

 Copyright (C) 2007 Free Software Foundation, Inc. <https://fsf.org/>
                       TERMS AND CONDITIONS
  ... either version 3 of the License, or (at your option) any later version.`;
    const GPL2_NOTICE = `This program is free software; you can redistribute it and/or modify
it under the terms of the GNU General Public License as published by
the Free Software Foundation; either version 2 of the License, or
(at your option) any later version.`;

    it.each([
      ['MIT text', MIT_TEXT, 'MIT'],
      ['BSD 3-clause text', BSD3_TEXT, 'BSD-3-Clause'],
      ['BSD 2-clause text', `${BSD_PREAMBLE}\n\nTHIS SOFTWARE IS PROVIDED "AS IS".`, 'BSD-2-Clause'],
      ['GPL-3.0 full text (its appendix quotes "any later version")', GPL3_TEXT, 'GPL-3.0-only'],
      ['GPL-2.0 or-later notice', GPL2_NOTICE, 'GPL-2.0-or-later'],
      ['Apache notice', 'Licensed under the Apache License, Version 2.0 (the "License");', 'Apache-2.0'],
    ])('%s → %s', (_label, text, expression) => {
      expect(licenseFromPypi({ license: text }).expression).toBe(expression);
    });

    it.each([
      ['MIT and Apache texts together', `${MIT_TEXT}\n\nLicensed under the Apache License, Version 2.0`, /several licenses/],
      ['BSD with the advertising clause', BSD4_TEXT, /BSD variant with extra clauses/],
      ['X11-style MIT variant', `${MIT_TEXT}\nExcept as contained in this notice, the name of the authors shall not be used`, /MIT variant/],
      ['GNU text without a version', 'Distributed under the GNU General Public License.', /without a recognisable version/],
      ['an unrelated text', 'Copyright 2020 ACME. All use subject to the ACME terms of service.', /not an SPDX expression/],
    ])('%s → UNKNOWN', (_label, text, reason) => {
      const fact = licenseFromPypi({ license: text });
      expect(fact.expression).toBeNull();
      expect(fact.unknownReason).toMatch(reason);
    });

    it('an unrecognised text still falls back to a classifier', () => {
      const fact = licenseFromPypi({ license: BSD4_TEXT, classifiers: ['License :: OSI Approved :: BSD License'] });
      expect(fact).toMatchObject({ source: 'classifier', expression: 'BSD-3-Clause OR BSD-2-Clause' });
    });
  });
});

describe('licenseFromNpm', () => {
  it.each([
    [{ license: 'MIT' }, 'MIT', 'MIT'],
    [{ license: '(MIT OR Apache-2.0)' }, 'MIT OR Apache-2.0', '(MIT OR Apache-2.0)'],
    [{ license: 'ISC' }, 'ISC', 'ISC'],
    [{ license: 'GPL-2.0' }, 'GPL-2.0-only', 'GPL-2.0'],
    [{ license: 'GPL-2.0+' }, 'GPL-2.0-or-later', 'GPL-2.0+'],
    [{ license: 'Unlicense' }, 'Unlicense', 'Unlicense'],
    [{ license: 'MIT AND LicenseRef-acme' }, 'MIT AND LicenseRef-acme', 'MIT AND LicenseRef-acme'],
    [{ license: 'Apache 2.0' }, 'Apache-2.0', 'Apache 2.0'],
    [{ license: { type: 'MIT', url: 'https://opensource.org/licenses/MIT' } }, 'MIT', '{"type":"MIT","url":"https://opensource.org/licenses/MIT"}'],
    [{ licenses: [{ type: 'MIT' }] }, 'MIT', '[{"type":"MIT"}]'],
    [{ licenses: [{ type: 'MIT' }, { type: 'Apache-2.0' }] }, 'MIT OR Apache-2.0', '[{"type":"MIT"},{"type":"Apache-2.0"}]'],
    [{ licenses: ['BSD-3-Clause', 'GPL-2.0'] }, 'BSD-3-Clause OR GPL-2.0-only', '["BSD-3-Clause","GPL-2.0"]'],
    [{ licenses: [{ type: 'MIT' }, { type: 'UNLICENSED' }] }, 'MIT', '[{"type":"MIT"},{"type":"UNLICENSED"}]'],
    [{ license: '', licenses: [{ type: 'ISC' }] }, 'ISC', '[{"type":"ISC"}]'],
  ] as const)('%j → %j', (pkg, expression, raw) => {
    expect(licenseFromNpm(pkg)).toEqual({ raw, source: 'npm_license', expression, normalized: expression, unknownReason: null });
  });

  it.each([
    [{ license: 'UNLICENSED' }, 'UNLICENSED: proprietary, all rights reserved'],
    [{ license: 'unlicensed' }, 'UNLICENSED: proprietary, all rights reserved'],
    [{ license: { type: 'UNLICENSED' } }, 'UNLICENSED: proprietary, all rights reserved'],
    [{ license: 'SEE LICENSE IN LICENSE.md' }, 'SEE LICENSE IN LICENSE.md: the license is a file in the package, not an SPDX expression'],
    [{ license: 'SEE LICENCE IN ./EULA.txt' }, 'SEE LICENSE IN ./EULA.txt: the license is a file in the package, not an SPDX expression'],
    [{}, 'no license published (no license or licenses field)'],
    [{ license: '   ' }, 'no license published (no license or licenses field)'],
    [{ license: 42 }, 'no license published (no license or licenses field)'],
    [{ license: 'WTF-this-is' }, '"WTF-this-is" is not an SPDX expression or a recognised license name'],
  ] as const)('%j → UNKNOWN: %s', (pkg, reason) => {
    const fact = licenseFromNpm(pkg);
    expect(fact).toMatchObject({ expression: null, normalized: 'UNKNOWN', unknownReason: reason });
  });

  it('a licenses array with nothing recognisable is UNKNOWN with each reason', () => {
    const fact = licenseFromNpm({ licenses: [{ type: 'UNLICENSED' }, { type: 'SEE LICENSE IN EULA' }] });
    expect(fact.expression).toBeNull();
    expect(fact.source).toBe('npm_license');
    expect(fact.unknownReason).toMatch(/^UNLICENSED: .*; SEE LICENSE IN EULA: /);
  });
});

describe('unknownLicense', () => {
  it('builds the UNKNOWN fact the caller needs when the fetch failed', () => {
    expect(unknownLicense('PyPI metadata fetch failed: HTTP 503')).toEqual({
      raw: null,
      source: 'none',
      expression: null,
      normalized: 'UNKNOWN',
      unknownReason: 'PyPI metadata fetch failed: HTTP 503',
    });
  });
});
