import { describe, expect, it } from 'vitest';
import { editingLabel } from './editingLabel';

describe('editingLabel', () => {
  it('names the version a draft is based on', () => {
    expect(editingLabel({ version: null, isDraft: true, publishedVersion: 3 }).text).toBe('Draft (based on v3)');
  });
  it('says when a draft was never published', () => {
    expect(editingLabel({ version: null, isDraft: true, publishedVersion: null }).text).toBe('Draft (never published)');
  });
  it('says the published version when there is no draft', () => {
    expect(editingLabel({ version: 3, isDraft: false, publishedVersion: 3 }).text).toBe('Published v3');
  });
  it('tells an older version from the published one', () => {
    expect(editingLabel({ version: 2, isDraft: false, publishedVersion: 3 }).text).toBe('v2 (published: v3)');
  });
});
