/**
 * Export the live registry as YAML (shown, and offered as a download) and
 * import a YAML file: the server validates it (problems name the path and
 * line) and its global policies are loaded into the policies editor.
 */
import { useState } from 'preact/hooks';
import { Provider, useMutation } from '@urql/preact';
import { graphql } from '../../gql';
import { client } from '../../lib/urql';
import { Panel, errorText } from '../../lib/ui';
import { IMPORT_EVENT, type PolicyForm } from './PoliciesEditor';

const ExportDocument = graphql(`
  mutation WorkshopExport {
    exportRegistryYaml {
      __typename
      ... on DomainError {
        message
      }
      ... on MutationExportRegistryYamlSuccess {
        data
      }
    }
  }
`);

const ParseDocument = graphql(`
  mutation WorkshopParse($yaml: String!) {
    parseRegistryYaml(yaml: $yaml) {
      __typename
      ... on DomainError {
        message
      }
      ... on MutationParseRegistryYamlSuccess {
        data
      }
    }
  }
`);

interface WireDoc {
  version?: string;
  global_policies?: Record<string, unknown>;
  packages?: Record<string, unknown>;
}

const joined = (v: unknown) => (Array.isArray(v) ? v.join(', ') : '');

function Yaml() {
  const [exported, setExported] = useState<string | null>(null);
  const [exportError, setExportError] = useState<string | null>(null);
  const [text, setText] = useState('');
  const [parsed, setParsed] = useState<WireDoc | null>(null);
  const [parseError, setParseError] = useState<string | null>(null);
  const [exportState, runExport] = useMutation(ExportDocument);
  const [parseState, runParse] = useMutation(ParseDocument);

  const doExport = async () => {
    const r = await runExport({});
    const a = r.data?.exportRegistryYaml;
    if (a?.__typename === 'MutationExportRegistryYamlSuccess') {
      setExported(a.data);
      setExportError(null);
    } else setExportError(a?.__typename === 'DomainError' ? a.message : errorText(r.error));
  };
  const doParse = async (e: Event) => {
    e.preventDefault();
    const r = await runParse({ yaml: text });
    const a = r.data?.parseRegistryYaml;
    if (a?.__typename === 'MutationParseRegistryYamlSuccess') {
      const doc = a.data as WireDoc;
      setParsed(doc);
      setParseError(null);
      const g = doc.global_policies ?? {};
      const detail: PolicyForm = {
        cveThreshold: String(g.cve_threshold ?? ''),
        autoApproveLicenses: joined(g.auto_approve_licenses),
        hardBanLicenses: joined(g.hard_ban_licenses),
        requireHumanReviewLicenses: joined(g.require_human_review_licenses),
        unknownLicensePolicy: String(g.unknown_license_policy ?? 'pending_approval'),
      };
      window.dispatchEvent(new CustomEvent(IMPORT_EVENT, { detail }));
    } else {
      setParsed(null);
      setParseError(a?.__typename === 'DomainError' ? a.message : errorText(r.error));
    }
  };
  const onFile = async (e: Event) => {
    const f = (e.target as HTMLInputElement).files?.[0];
    if (f) setText(await f.text());
  };
  const download = exported ? URL.createObjectURL(new Blob([exported], { type: 'application/yaml' })) : null;

  return (
    <Panel id="yaml-panel" title="Import / export YAML" state="ready" raw="/api/v1/registry">
      <div class="row-actions">
        <button type="button" class="button" onClick={doExport} disabled={exportState.fetching} data-testid="export-yaml">Export YAML</button>
        {download && <a href={download} download="registry.yml" data-testid="download-yaml">Download registry.yml</a>}
      </div>
      {exportError && <p class="notice notice-error" role="alert">{exportError}</p>}
      {exported !== null && (
        <>
          <label for="exported-yaml" class="small muted">The live document, as accepted (comments kept)</label>
          <textarea id="exported-yaml" class="code" rows={10} readOnly value={exported} data-testid="exported-yaml" />
        </>
      )}
      <form onSubmit={doParse} class="stack-tight" data-testid="import-form">
        <label for="import-file">Import a registry file</label>
        <input id="import-file" type="file" accept=".yml,.yaml,text/yaml" onChange={onFile} />
        <label for="import-yaml" class="small muted">…or paste YAML</label>
        <textarea id="import-yaml" class="code" rows={6} value={text} onInput={(e) => setText((e.target as HTMLTextAreaElement).value)} data-testid="import-yaml" />
        <div>
          <button type="submit" class="button-quiet" disabled={parseState.fetching || text.trim() === ''} data-testid="import-submit">Validate and load</button>
        </div>
      </form>
      {parseError && <p class="notice notice-error" role="alert" data-testid="import-error">{parseError}</p>}
      {parsed && (
        <p class="notice notice-ok" role="status" data-testid="import-ok">
          Valid: version {parsed.version}, {Object.keys(parsed.packages ?? {}).length} packages. Its global policies are in the editor; package rules are proposed one by one from the table.
        </p>
      )}
    </Panel>
  );
}

export default function YamlPanel() {
  return (
    <Provider value={client}>
      <Yaml />
    </Provider>
  );
}
