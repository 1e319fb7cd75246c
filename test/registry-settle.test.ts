/**
 * A registry revision settles only PENDING requests: a request a person (or an
 * earlier revision) already decided keeps its decision — APPROVED never turns
 * REJECTED, REJECTED never turns APPROVED — and gets no second decision row.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dbKinds } from './support/databases';
import { createTestApp, type TestApp } from './support/harness';

const REGISTRY = `version: "2026.1"
global_policies:
  auto_approve_licenses: [MIT, Apache-2.0]
  unknown_license_policy: pending_approval
  cve_threshold: 0.9
packages:
  left-pad:
    status: preferred
`;

const QUIET = { LEXGATE_REGISTRY_WATCH: 'false', REGISTRY_RELOAD_INTERVAL: '0', LEXGATE_REGISTRY_SYNC_INTERVAL: '0' };
const JSON_HEADERS = { 'content-type': 'application/json', 'X-LexAlign-Project': 'svc' };

interface Item {
  id: string;
  package: string;
  status: string;
  decision_reason: string | null;
  decided_by: string | null;
}

describe.each(dbKinds())('registry settle on %s', (kind) => {
  let t: TestApp;
  let dir: string;
  let file: string;
  const post = (p: string, body?: unknown) => t.request(p, { method: 'POST', headers: JSON_HEADERS, body: body === undefined ? undefined : JSON.stringify(body) });
  const ask = (pkg: string) => post('/api/v1/approval-requests', { package: pkg, rationale: `we need ${pkg}` }).then((r) => r.json() as Promise<{ request_id: string; status: string }>);
  const items = async (): Promise<Map<string, Item>> => {
    const list = (await (await t.request('/api/v1/reports/approval-requests?project=svc')).json()) as { items: Item[] };
    return new Map(list.items.map((i) => [i.package, i]));
  };
  /** APPROVAL_DECISION rows per request id. */
  const decisions = async (): Promise<Map<string, number>> => {
    const rows = await t.db
      .em()
      .execute<{ request_id: string; n: number }[]>(`select details->>'requestId' as request_id, count(*)::int as n from audit_log where kind = 'APPROVAL_DECISION' group by 1`);
    return new Map(rows.map((r) => [r.request_id, r.n]));
  };
  let release = 1;
  const reloadWith = async (packages: string) => {
    release++;
    fs.writeFileSync(file, REGISTRY.replace('version: "2026.1"', `version: "2026.${release}"`) + packages);
    const r = await post('/api/v1/registry/reload');
    expect(r.status).toBe(200);
    return r.json();
  };

  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lexgate-settle-'));
    file = path.join(dir, 'registry.yml');
    fs.writeFileSync(file, REGISTRY);
    t = await createTestApp(kind, { env: { ...QUIET, REGISTRY_PATH: file, REGISTRY_PROPOSER: 'local_file' } });
  });
  afterAll(async () => {
    await t?.close();
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  it('leaves decided requests as decided, with one decision row each, while it settles the pending ones', async () => {
    const approvedReq = await ask('orjson');
    const rejectedReq = await ask('leftpad-clone');
    const pendingBan = await ask('pycrypto');
    const pendingAllow = await ask('httpx');
    for (const r of [approvedReq, rejectedReq, pendingBan, pendingAllow]) expect(r.status).toBe('PENDING_REVIEW');

    expect((await post(`/api/v1/approval-requests/${approvedReq.request_id}/approve`, { note: 'Fast JSON, MIT' })).status).toBe(200);
    expect((await post(`/api/v1/approval-requests/${rejectedReq.request_id}/reject`, { reason: 'Use the stdlib' })).status).toBe(200);
    const before = await items();
    expect(before.get('orjson')).toMatchObject({ status: 'APPROVED' });
    expect(before.get('leftpad-clone')).toMatchObject({ status: 'REJECTED', decision_reason: 'Use the stdlib' });
    const beforeDecisions = await decisions();
    // orjson: the approval by a person and the revision that made its rule live; leftpad-clone: the rejection.
    expect(beforeDecisions.get(approvedReq.request_id)).toBe(2);
    expect(beforeDecisions.get(rejectedReq.request_id)).toBe(1);

    // A revision that bans the approved package and allows the rejected one, and decides the two pending ones.
    const reload = await reloadWith(`  orjson:
    status: banned
    reason: Found a problem later.
  leftpad-clone:
    status: preferred
  pycrypto:
    status: banned
    reason: Unmaintained.
  httpx:
    status: approved
`);
    expect(reload).toMatchObject({ ok: true, approved_requests: 1 });
    const after = await items();
    expect(after.get('orjson')).toEqual(before.get('orjson'));
    expect(after.get('leftpad-clone')).toEqual(before.get('leftpad-clone'));
    expect(after.get('pycrypto')).toMatchObject({ status: 'REJECTED', decision_reason: expect.stringMatching(/pycrypto as banned: Unmaintained\./) });
    expect(after.get('httpx')).toMatchObject({ status: 'APPROVED' });
    const afterDecisions = await decisions();
    expect(afterDecisions.get(approvedReq.request_id)).toBe(2);
    expect(afterDecisions.get(rejectedReq.request_id)).toBe(1);
    expect(afterDecisions.get(pendingBan.request_id)).toBe(1);
    expect(afterDecisions.get(pendingAllow.request_id)).toBe(1);

    // Flip every rule again: nothing is pending any more, so nothing changes and nothing is written.
    const flipped = await reloadWith(`  orjson:
    status: preferred
  leftpad-clone:
    status: banned
    reason: Changed our minds.
  pycrypto:
    status: approved
  httpx:
    status: deprecated
    replacement: requests
`);
    expect(flipped).toMatchObject({ ok: true, approved_requests: 0 });
    expect(await items()).toEqual(after);
    expect(await decisions()).toEqual(afterDecisions);
  });
});
