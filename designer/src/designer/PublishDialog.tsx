import { useMemo, useState } from 'react';
import { useQuery } from '@tanstack/react-query';
import type { WorkflowDefinition } from '../api/models';
import { ErrorBox, Modal, Spinner } from '../common/ui';
import { diffDefinitions } from '../lib/diff';
import { getVersion } from './api';

/**
 * Submitting for publishing is confirmed here (issue 14): what the draft changes against the version it is based on,
 * a note for the reviewer (required: the reviewer reads it next to the diff), and the server's answer — a refusal
 * such as "identical content is not a new version" stays in the dialog, next to the note, instead of closing it.
 */
export function PublishDialog({ definition, basedOn, onClose, onSubmit }: {
  definition: WorkflowDefinition;
  basedOn: number | null;
  onClose: () => void;
  /** resolves to null when submitted (the caller closes the dialog), or to the error to show */
  onSubmit: (note: string) => Promise<unknown>;
}) {
  const [note, setNote] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const published = useQuery({ queryKey: ['version', definition.id, basedOn], queryFn: () => getVersion(definition.id, basedOn), enabled: basedOn !== null, staleTime: Infinity });
  const diff = useMemo(() => (published.data ? diffDefinitions(published.data.definition, definition) : null), [published.data, definition]);
  const submit = async () => {
    setBusy(true);
    setError(null);
    const e = await onSubmit(note.trim());
    setBusy(false);
    if (e) setError(e);
  };
  const same = diff && diff.counts.added + diff.counts.removed + diff.counts.changed + diff.counts.connectionsAdded + diff.counts.connectionsRemoved + diff.settings.length === 0;
  return (
    <Modal
      title="Submit for publishing"
      onClose={onClose}
      testId="publish-dialog"
      footer={
        <>
          <button className="btn" onClick={onClose}>Cancel</button>
          <button className="btn btn-primary" onClick={() => void submit()} disabled={busy || !note.trim()} data-testid="publish-submit"
            title={note.trim() ? undefined : 'Write a note for the reviewer first'}>Submit for approval</button>
        </>
      }
    >
      <p className="small">
        The draft is saved and validated, then another analyst reviews the changes and approves them.{' '}
        {basedOn ? <>Until then <strong>v{basedOn}</strong> stays in use.</> : <>The definition has no published version yet.</>}
      </p>
      {basedOn !== null && (
        <div className="small" data-testid="publish-changes">
          {published.isLoading && <Spinner small label={`Comparing with v${basedOn}…`} />}
          {diff && !same && (
            <>Compared with v{basedOn}: {diff.counts.added} added, {diff.counts.removed} removed, {diff.counts.changed} changed activities;
              connections +{diff.counts.connectionsAdded} / −{diff.counts.connectionsRemoved}{diff.settings.length ? `; flow settings: ${diff.settings.join(', ')}` : ''}.</>)}
          {same && <>No change in behaviour compared with v{basedOn} (at most the layout moved). Identical content is not a new version.</>}
        </div>
      )}
      <label className="form">
        Note for the reviewer (required): what changed and why
        <textarea value={note} onChange={(e) => setNote(e.target.value)} maxLength={2000} rows={3} data-testid="publish-note" required aria-required="true" />
      </label>
      {busy && <Spinner small label="Submitting…" />}
      <div data-testid="publish-error"><ErrorBox error={error} title="Not submitted" /></div>
    </Modal>
  );
}
