import type { LoadedFrom } from './store';

/**
 * What the designer's header says the analyst is editing (issue 14): a draft names the published version it would
 * replace (publishing diffs against it), a version says whether it is the published one.
 */
export function editingLabel(from: LoadedFrom | null | undefined): { text: string; tone: 'amber' | 'green' | 'gray'; title: string } {
  if (!from) return { text: '…', tone: 'gray', title: '' };
  const published = from.publishedVersion ?? null;
  if (from.isDraft) {
    return published
      ? { text: `Draft (based on v${published})`, tone: 'amber', title: `You are editing the draft. Publishing it replaces v${published}, which stays in use until another analyst approves.` }
      : { text: 'Draft (never published)', tone: 'amber', title: 'You are editing the draft of a definition that has no published version yet.' };
  }
  if (from.version !== null && published !== null && from.version !== published) {
    return { text: `v${from.version} (published: v${published})`, tone: 'gray', title: `You are looking at v${from.version}; v${published} is the published version.` };
  }
  return { text: `Published v${from.version ?? published ?? '?'}`, tone: 'green', title: 'No draft: you are looking at the published version. Saving makes your changes a draft.' };
}
