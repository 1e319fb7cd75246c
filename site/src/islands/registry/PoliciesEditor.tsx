/**
 * Global policies editor: CVSS threshold, auto-approve / hard-ban / review
 * license lists and the unknown-license policy. Saving proposes the change
 * through the configured proposer (with a rationale), like any registry edit.
 * Importing a YAML file (validated by the server) fills the form from it.
 */
import { useEffect, useState } from 'preact/hooks';
import { Provider, useMutation, useQuery } from '@urql/preact';
import { graphql } from '../../gql';
import { client, isServerRender } from '../../lib/urql';
import { Panel, announceChange, errorText, stateOf, useRefetchOnChange } from '../../lib/ui';
import { OutcomeBox, type Outcome } from './shared';

const PoliciesDocument = graphql(`
  query WorkshopPolicies {
    registry {
      version
      globalPolicies {
        cveThreshold
        autoApproveLicenses
        hardBanLicenses
        requireHumanReviewLicenses
        unknownLicensePolicy
      }
    }
  }
`);

const UpdatePoliciesDocument = graphql(`
  mutation WorkshopUpdatePolicies($input: UpdateGlobalPoliciesInput!) {
    updateGlobalPolicies(input: $input) {
      __typename
      ... on DomainError {
        message
      }
      ... on MutationUpdateGlobalPoliciesSuccess {
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

/** Event the import panel sends with the global policies of a validated file. */
export const IMPORT_EVENT = 'lexgate:import-policies';

export interface PolicyForm {
  cveThreshold: string;
  autoApproveLicenses: string;
  hardBanLicenses: string;
  requireHumanReviewLicenses: string;
  unknownLicensePolicy: string;
}

const list = (s: string) => s.split(/[\s,]+/).map((x) => x.trim()).filter(Boolean);

function Editor() {
  const [res, reexecute] = useQuery({ query: PoliciesDocument, pause: isServerRender });
  useRefetchOnChange(reexecute);
  const [form, setForm] = useState<PolicyForm | null>(null);
  const [rationale, setRationale] = useState('');
  const [outcome, setOutcome] = useState<Outcome | null>(null);
  const [imported, setImported] = useState(false);
  const [saving, save] = useMutation(UpdatePoliciesDocument);
  const g = res.data?.registry?.globalPolicies;

  // The form follows the live registry until someone edits it.
  useEffect(() => {
    if (g && !imported)
      setForm({
        cveThreshold: String(g.cveThreshold),
        autoApproveLicenses: g.autoApproveLicenses.join(', '),
        hardBanLicenses: g.hardBanLicenses.join(', '),
        requireHumanReviewLicenses: g.requireHumanReviewLicenses.join(', '),
        unknownLicensePolicy: g.unknownLicensePolicy,
      });
  }, [g, imported]);
  useEffect(() => {
    const onImport = (e: Event) => {
      setForm((e as CustomEvent<PolicyForm>).detail);
      setImported(true);
      setOutcome({ kind: 'note', text: 'Global policies loaded from the imported file: review them and propose.' });
    };
    window.addEventListener(IMPORT_EVENT, onImport);
    return () => window.removeEventListener(IMPORT_EVENT, onImport);
  }, []);

  const state = stateOf({ fetching: res.fetching, error: res.error, hasData: !!form, problem: res.data && !res.data.registry ? 'no registry is loaded' : null });
  const set = (k: keyof PolicyForm) => (e: Event) => form && setForm({ ...form, [k]: (e.target as HTMLInputElement).value });
  const submit = async (e: Event) => {
    e.preventDefault();
    if (!form) return;
    const threshold = Number(form.cveThreshold);
    const out = await save({
      input: {
        cveThreshold: Number.isFinite(threshold) ? threshold : -1,
        autoApproveLicenses: list(form.autoApproveLicenses),
        hardBanLicenses: list(form.hardBanLicenses),
        requireHumanReviewLicenses: list(form.requireHumanReviewLicenses),
        unknownLicensePolicy: form.unknownLicensePolicy,
        rationale,
      },
    });
    const a = out.data?.updateGlobalPolicies;
    if (a?.__typename === 'MutationUpdateGlobalPoliciesSuccess') {
      setOutcome({ kind: 'ok', proposal: a.data.proposal, live: !!a.data.reload, what: 'Global policies proposed' });
      setImported(false);
      setRationale('');
      announceChange();
    } else setOutcome({ kind: 'error', message: a?.__typename === 'DomainError' ? a.message : errorText(out.error) });
  };

  return (
    <Panel id="policies-editor" title="Global policies" state={state} errorText={errorText(res.error) || 'no registry is loaded'} raw="/api/v1/registry">
      <OutcomeBox outcome={outcome} />
      {form && (
        <form class="form-grid" onSubmit={submit} data-testid="policies-form">
          <label>
            CVE threshold (0–1; denies at CVSS ≥ threshold × 10)
            <input type="number" min="0" max="1" step="0.01" required value={form.cveThreshold} onInput={set('cveThreshold')} data-testid="policy-cve-threshold" />
          </label>
          <label>
            Unknown-license policy
            <select value={form.unknownLicensePolicy} onChange={set('unknownLicensePolicy')} data-testid="policy-unknown">
              <option value="allow">allow</option>
              <option value="pending_approval">pending_approval</option>
              <option value="block">block</option>
            </select>
          </label>
          <label class="span-2">Auto-approve licenses<input value={form.autoApproveLicenses} onInput={set('autoApproveLicenses')} data-testid="policy-auto-approve" /></label>
          <label class="span-2">Hard-ban licenses<input value={form.hardBanLicenses} onInput={set('hardBanLicenses')} data-testid="policy-hard-ban" /></label>
          <label class="span-2">Require human review<input value={form.requireHumanReviewLicenses} onInput={set('requireHumanReviewLicenses')} /></label>
          <label class="span-2">Why<input required value={rationale} onInput={(e) => setRationale((e.target as HTMLInputElement).value)} data-testid="policy-rationale" /></label>
          <div class="form-actions">
            <button type="submit" class="button" disabled={saving.fetching} data-testid="policy-submit">{saving.fetching ? 'Proposing…' : 'Propose change'}</button>
          </div>
        </form>
      )}
    </Panel>
  );
}

export default function PoliciesEditor() {
  return (
    <Provider value={client}>
      <Editor />
    </Provider>
  );
}

