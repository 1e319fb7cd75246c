/**
 * The live registry's packages: search, sort, status badges and version
 * constraints; add, edit and delete go through the configured proposer and
 * the result (file written, commit, PR or logged) is shown.
 */
import { useMemo, useState } from 'preact/hooks';
import { Provider, useMutation, useQuery } from '@urql/preact';
import { graphql } from '../../gql';
import { client, isServerRender } from '../../lib/urql';
import { Panel, ShowMore, TableWrap, useShowMore, announceChange, errorText, stateOf, useRefetchOnChange } from '../../lib/ui';
import { OutcomeBox, STATUSES, StatusBadge, toEnum, type Outcome, type RuleStatus } from './shared';

const PackagesDocument = graphql(`
  query WorkshopPackages {
    registry {
      version
      revision
      packageCount
      packages {
        key
        ecosystem
        name
        status
        reason
        replacement
        minVersion
        maxVersion
      }
    }
  }
`);

const ProposeDocument = graphql(`
  mutation WorkshopPropose($input: ProposeRegistryChangeInput!) {
    proposeRegistryChange(input: $input) {
      __typename
      ... on DomainError {
        message
      }
      ... on MutationProposeRegistryChangeSuccess {
        data {
          proposal {
            ...ProposalFields
          }
          reload {
            revision
          }
        }
      }
    }
  }
`);

const RemoveDocument = graphql(`
  mutation WorkshopRemove($name: String!, $ecosystem: RegistryEcosystem, $rationale: String!) {
    removePackageRule(name: $name, ecosystem: $ecosystem, rationale: $rationale) {
      __typename
      ... on DomainError {
        message
      }
      ... on MutationRemovePackageRuleSuccess {
        data {
          proposal {
            ...ProposalFields
          }
          reload {
            revision
          }
        }
      }
    }
  }
`);

type Rule = { key: string; ecosystem: string; name: string; status: string; reason?: string | null; replacement?: string | null; minVersion?: string | null; maxVersion?: string | null };
type SortKey = 'name' | 'status' | 'ecosystem';
const EMPTY: Rule = { key: '', ecosystem: 'pypi', name: '', status: 'approved' };

function constraint(r: Rule): string {
  if (!r.minVersion && !r.maxVersion) return '';
  return [r.minVersion ? `>=${r.minVersion}` : '', r.maxVersion ? `<${r.maxVersion}` : ''].filter(Boolean).join(', ');
}

function RuleForm({ initial, onDone, onCancel }: { initial: Rule; onDone: (o: Outcome) => void; onCancel: () => void }) {
  const [r, setR] = useState<Rule>(initial);
  const [rationale, setRationale] = useState('');
  const [state, propose] = useMutation(ProposeDocument);
  const set = (k: keyof Rule) => (e: Event) => setR({ ...r, [k]: (e.target as HTMLInputElement).value });
  const isNew = initial.name === '';
  const submit = async (e: Event) => {
    e.preventDefault();
    const res = await propose({
      input: {
        name: r.name.trim(),
        ecosystem: r.ecosystem === 'npm' ? 'npm' : 'pypi',
        status: toEnum(r.status as RuleStatus),
        reason: r.reason || null,
        replacement: r.replacement || null,
        minVersion: r.minVersion || null,
        maxVersion: r.maxVersion || null,
        rationale,
      },
    });
    const a = res.data?.proposeRegistryChange;
    if (a?.__typename === 'MutationProposeRegistryChangeSuccess') {
      onDone({ kind: 'ok', proposal: a.data.proposal, live: !!a.data.reload, what: `${isNew ? 'Added' : 'Updated'} ${r.name}` });
      announceChange();
    } else onDone({ kind: 'error', message: a?.__typename === 'DomainError' ? a.message : errorText(res.error) });
  };
  return (
    <form class="form-grid" onSubmit={submit} data-testid="rule-form" aria-label={isNew ? 'Add a package' : `Edit ${initial.name}`}>
      <label>Name<input required value={r.name} readOnly={!isNew} onInput={set('name')} data-testid="rule-name" /></label>
      <label>
        Ecosystem
        <select value={r.ecosystem} disabled={!isNew} onChange={set('ecosystem')}>
          <option value="pypi">pypi</option>
          <option value="npm">npm</option>
        </select>
      </label>
      <label>
        Status
        <select value={r.status} onChange={set('status')} data-testid="rule-status">
          {STATUSES.map((s) => <option value={s}>{s}</option>)}
        </select>
      </label>
      <label>Reason<input value={r.reason ?? ''} onInput={set('reason')} /></label>
      {r.status === 'deprecated' && <label>Replacement<input required value={r.replacement ?? ''} onInput={set('replacement')} /></label>}
      {r.status === 'version-constrained' && (
        <>
          <label>Min version (inclusive)<input value={r.minVersion ?? ''} onInput={set('minVersion')} /></label>
          <label>Max version (exclusive)<input value={r.maxVersion ?? ''} onInput={set('maxVersion')} /></label>
        </>
      )}
      <label class="span-2">Why (goes into the commit and the audit log)<input required value={rationale} onInput={(e) => setRationale((e.target as HTMLInputElement).value)} data-testid="rule-rationale" /></label>
      <div class="form-actions">
        <button type="submit" class="button" disabled={state.fetching} data-testid="rule-submit">{state.fetching ? 'Proposing…' : 'Propose'}</button>
        <button type="button" class="button-quiet" onClick={onCancel}>Cancel</button>
      </div>
    </form>
  );
}

function Packages() {
  const [res, reexecute] = useQuery({ query: PackagesDocument, pause: isServerRender });
  useRefetchOnChange(reexecute);
  const [q, setQ] = useState('');
  const [sort, setSort] = useState<{ key: SortKey; dir: 1 | -1 }>({ key: 'name', dir: 1 });
  const [editing, setEditing] = useState<Rule | null>(null);
  const [outcome, setOutcome] = useState<Outcome | null>(null);
  const [limit, more] = useShowMore(50);
  const [, remove] = useMutation(RemoveDocument);
  const reg = res.data?.registry;
  const rows = useMemo(() => {
    const needle = q.trim().toLowerCase();
    const list = (reg?.packages ?? []).filter((p) => !needle || p.name.toLowerCase().includes(needle) || p.status.includes(needle) || (p.reason ?? '').toLowerCase().includes(needle));
    return [...list].sort((a, b) => a[sort.key].localeCompare(b[sort.key]) * sort.dir || a.name.localeCompare(b.name));
  }, [reg, q, sort]);
  const state = stateOf({ fetching: res.fetching, error: res.error, hasData: !!res.data, problem: res.data && !reg ? 'no registry is loaded' : null });
  const sortBy = (key: SortKey) => setSort(sort.key === key ? { key, dir: sort.dir === 1 ? -1 : 1 } : { key, dir: 1 });
  const aria = (key: SortKey) => (sort.key === key ? (sort.dir === 1 ? 'ascending' : 'descending') : 'none');
  const del = async (r: Rule) => {
    const why = window.prompt(`Why remove ${r.name} from the registry?`);
    if (!why) return;
    const out = await remove({ name: r.name, ecosystem: r.ecosystem === 'npm' ? 'npm' : 'pypi', rationale: why });
    const a = out.data?.removePackageRule;
    if (a?.__typename === 'MutationRemovePackageRuleSuccess') {
      setOutcome({ kind: 'ok', proposal: a.data.proposal, live: !!a.data.reload, what: `Removed ${r.name}` });
      announceChange();
    } else setOutcome({ kind: 'error', message: a?.__typename === 'DomainError' ? a.message : errorText(out.error) });
  };
  const done = (o: Outcome) => {
    setOutcome(o);
    if (o.kind === 'ok') setEditing(null);
  };

  return (
    <Panel
      id="package-table"
      title={reg ? `Packages (${reg.packageCount}) · version ${reg.version}, revision ${reg.revision}` : 'Packages'}
      state={state}
      errorText={errorText(res.error) || 'no registry is loaded'}
      raw="/api/v1/registry"
      actions={<button type="button" class="button" data-testid="add-package" onClick={() => setEditing({ ...EMPTY })}>Add to registry…</button>}
      wide
    >
      <OutcomeBox outcome={outcome} />
      {editing && <RuleForm key={editing.key || 'new'} initial={editing} onDone={done} onCancel={() => setEditing(null)} />}
      <div class="toolbar">
        <label for="package-search">Search</label>
        <input id="package-search" type="search" value={q} placeholder="name, status or reason" onInput={(e) => setQ((e.target as HTMLInputElement).value)} data-testid="package-search" />
        <span class="muted small" aria-live="polite">{rows.length} shown</span>
      </div>
      <TableWrap label="Registry packages">
        <table class="data">
          <thead>
            <tr>
              {(['name', 'ecosystem', 'status'] as const).map((k) => (
                <th scope="col" aria-sort={aria(k)}>
                  <button type="button" class="sort" onClick={() => sortBy(k)}>{k}{sort.key === k ? (sort.dir === 1 ? ' ▲' : ' ▼') : ''}</button>
                </th>
              ))}
              <th scope="col">Constraint</th>
              <th scope="col">Reason</th>
              <th scope="col"><span class="sr-only">Actions</span></th>
            </tr>
          </thead>
          <tbody>
            {rows.slice(0, limit).map((r) => (
              <tr data-testid="package-row" data-package={r.name} data-status={r.status}>
                <th scope="row">{r.name}</th>
                <td>{r.ecosystem}</td>
                <td><StatusBadge status={r.status} /></td>
                <td><code>{constraint(r)}</code></td>
                <td class="reason">{r.reason ?? ''}{r.replacement && <> (use <code>{r.replacement}</code>)</>}</td>
                <td class="row-actions">
                  <button type="button" class="button-quiet" onClick={() => setEditing(r)}>Edit<span class="sr-only"> {r.name}</span></button>
                  <button type="button" class="button-quiet" onClick={() => del(r)}>Delete<span class="sr-only"> {r.name}</span></button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </TableWrap>
      <ShowMore shown={Math.min(limit, rows.length)} total={rows.length} onMore={more} />
    </Panel>
  );
}

export default function PackageTable() {
  return (
    <Provider value={client}>
      <Packages />
    </Provider>
  );
}
