/**
 * The registry written into the data directory on first start when
 * REGISTRY_PATH is unset, so a fresh install enforces a real policy. Edit the
 * written file (or point REGISTRY_PATH at your own); this text is only the
 * first draft.
 */
export const STARTER_REGISTRY_YAML = `# lexgate registry (starter).
#
# Written on first start because REGISTRY_PATH was not set. Edit this file, or
# set REGISTRY_PATH to your organisation's registry. Keys are package names as
# people write them (PyPI by default); write npm packages as purls:
# "pkg:npm/express", "pkg:npm/%40scope/name".
version: "1"

global_policies:
  # Licenses that let a package the registry does not know pass provisionally.
  auto_approve_licenses:
    - MIT
    - Apache-2.0
    - BSD-2-Clause
    - BSD-3-Clause
    - ISC
    - 0BSD
    - Zlib
    - PSF-2.0
    - Python-2.0
    - Unlicense
    - CC0-1.0
  # Licenses that deny a package outright.
  hard_ban_licenses:
    - AGPL-3.0-only
    - AGPL-3.0-or-later
    - GPL-2.0-only
    - GPL-2.0-or-later
    - GPL-3.0-only
    - GPL-3.0-or-later
    - SSPL-1.0
  # Licenses that need legal review: the package is denied for now and an
  # approval request is filed for a person to decide.
  require_human_review_licenses:
    - LGPL-2.1-only
    - LGPL-2.1-or-later
    - LGPL-3.0-only
    - LGPL-3.0-or-later
    - MPL-2.0
    - EPL-2.0
  # allow | pending_approval | block
  unknown_license_policy: pending_approval
  # Deny when the highest CVSS base score is at least cve_threshold x 10.
  cve_threshold: 0.9
  # When OSV or the package metadata cannot be reached: provisional | deny
  upstream_unavailable: provisional

packages:
  pycrypto:
    status: banned
    reason: Unmaintained and vulnerable; use cryptography instead.
  "pkg:npm/request":
    status: deprecated
    replacement: "pkg:npm/undici"
    reason: Deprecated by its authors; use undici (or the built-in fetch).
`;
