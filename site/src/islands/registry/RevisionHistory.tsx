/** Registry revision history, newest first; opening one shows its diff against the revision before it. */
import { useState } from 'preact/hooks';
import { Provider, useQuery } from '@urql/preact';
import { graphql } from '../../gql';
import { client, isServerRender } from '../../lib/urql';
import { lineDiff } from '../../lib/line-diff';
import { Panel, TableWrap, errorText, fmtTime, stateOf, useRefetchOnChange } from '../../lib/ui';

const RevisionsDocument = graphql(`
  query WorkshopRevisions {
    registryRevisions(first: 30) {
      id
      revision
      version
      author
      source
      createdAt
      packageCount
      sha256
      yaml
    }
  }
`);

function History() {
  const [res, reexecute] = useQuery({ query: RevisionsDocument, pause: isServerRender });
  useRefetchOnChange(reexecute);
  const [open, setOpen] = useState<string | null>(null);
  const revs = res.data?.registryRevisions;
  const state = stateOf({ fetching: res.fetching, error: res.error, hasData: !!revs, isEmpty: revs?.length === 0 });
  return (
    <Panel id="revision-history" title="Revision history" state={state} errorText={errorText(res.error)} raw="/graphql" emptyText="No revision stored yet." wide>
      <TableWrap label="Registry revisions">
        <table class="data">
          <thead><tr><th scope="col">Revision</th><th scope="col">Version</th><th scope="col">When</th><th scope="col">Author</th><th scope="col">Source</th><th scope="col" class="num">Packages</th><th scope="col">Diff</th></tr></thead>
          <tbody>
            {revs?.map((r, k) => {
              const prev = revs[k + 1];
              const isOpen = open === r.id;
              return (
                <>
                  <tr data-testid="revision-row" data-revision={r.revision}>
                    <th scope="row">#{r.revision}</th>
                    <td>{r.version}</td>
                    <td class="nowrap">{fmtTime(r.createdAt)}</td>
                    <td>{r.author}</td>
                    <td>{r.source}</td>
                    <td class="num">{r.packageCount}</td>
                    <td>
                      <button type="button" class="button-quiet" aria-expanded={isOpen} aria-controls={`diff-${r.id}`} onClick={() => setOpen(isOpen ? null : r.id)}>
                        {isOpen ? 'Hide' : prev ? 'Show diff' : 'Show'}
                        <span class="sr-only"> of revision {r.revision}</span>
                      </button>
                    </td>
                  </tr>
                  {isOpen && (
                    <tr>
                      <td colSpan={7}>
                        <pre class="diff" id={`diff-${r.id}`} data-testid="revision-diff">
                          {(prev ? lineDiff(prev.yaml, r.yaml) : r.yaml.split('\n').map((text) => ({ op: '+' as const, text }))).map((l) => (
                            <span class={l.op === '+' ? 'diff-add' : l.op === '-' ? 'diff-del' : l.op === '…' ? 'diff-fold' : ''}>
                              {l.op === '…' ? '  …' : `${l.op} ${l.text}`}
                              {'\n'}
                            </span>
                          ))}
                        </pre>
                      </td>
                    </tr>
                  )}
                </>
              );
            })}
          </tbody>
        </table>
      </TableWrap>
    </Panel>
  );
}

export default function RevisionHistory() {
  return (
    <Provider value={client}>
      <History />
    </Provider>
  );
}
