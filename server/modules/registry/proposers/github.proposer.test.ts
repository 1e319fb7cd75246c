import { describe, expect, it } from 'vitest';
import { apiBaseFor, branchFor, parseRepoUrl } from './github.proposer';

describe('parseRepoUrl', () => {
  it.each([
    ['https://git.example.test/acme/registry.git', { host: 'git.example.test', owner: 'acme', repo: 'registry' }],
    ['https://git.example.test/acme/registry', { host: 'git.example.test', owner: 'acme', repo: 'registry' }],
    ['git@git.example.test:acme/registry.git', { host: 'git.example.test', owner: 'acme', repo: 'registry' }],
    ['ssh://git@git.example.test/acme/registry.git', { host: 'git.example.test', owner: 'acme', repo: 'registry' }],
    ['not a url', null],
    ['https://git.example.test/acme', null],
    ['ftp://git.example.test/acme/registry', null],
  ])('%s', (url, expected) => {
    expect(parseRepoUrl(url)).toEqual(expected);
  });

  it('derives the API base unless configured', () => {
    expect(apiBaseFor({ host: 'git.example.test', owner: 'a', repo: 'b' }, null)).toBe('https://git.example.test/api/v3');
    expect(apiBaseFor({ host: 'git.example.test', owner: 'a', repo: 'b' }, 'http://127.0.0.1:9/')).toBe('http://127.0.0.1:9');
  });
});

describe('branchFor', () => {
  it('gives one branch per package (normalised) and one for policies', () => {
    expect(branchFor({ kind: 'set_package', rule: { ecosystem: 'pypi', name: 'Left_Pad', status: 'banned' } })).toBe('lexgate/approval/left-pad');
    expect(branchFor({ kind: 'remove_package', ecosystem: 'pypi', name: 'left.pad' })).toBe('lexgate/approval/left-pad');
    expect(branchFor({ kind: 'set_package', rule: { ecosystem: 'npm', name: '@types/node', status: 'approved' } })).toBe('lexgate/approval/npm-types-node');
    expect(branchFor({ kind: 'set_policies', patch: { cve_threshold: 0.5 } })).toBe('lexgate/policies');
  });
});
