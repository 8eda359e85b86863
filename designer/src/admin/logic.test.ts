import { describe, expect, it } from 'vitest';
import { mayGrant, staffBody, staffChanges, staffDraft } from './logic';

describe('staff accounts', () => {
  it('sends lists, WD numbers and the rowVersion of an edit; never users:manage', () => {
    const d = staffDraft({ username: 'kc.a', displayName: null, role: null, departments: ['CS'], allDepartments: false, wdPermissions: [3, 1], taskPermissions: [], rights: ['users:manage', 'wd:create'], enabled: true });
    expect(d.rights).toEqual(['wd:create']);
    const { body } = staffBody({ ...d, departments: 'CS, Retention ,', taskPermissions: 'workorders:approve' }, 4);
    expect(body).toEqual({ displayName: null, role: null, departments: ['CS', 'Retention'], allDepartments: false, wdPermissions: [1, 3], taskPermissions: ['workorders:approve'], rights: ['wd:create'], enabled: true, rowVersion: 4 });
  });

  it('needs a user name to create', () => {
    expect(staffBody(staffDraft(), null).errors.username).toHaveLength(1);
    expect(staffBody({ ...staffDraft(), username: ' kc.b ' }, null).body?.username).toBe('kc.b');
  });

  it('offers only rights the manager holds or the account keeps', () => {
    const me = { username: 'admin1', rights: ['users:manage', 'wd:create'] };
    expect(mayGrant(me, 'wd:create', [])).toBe(true);
    expect(mayGrant(me, 'sandbox', [])).toBe(false);
    expect(mayGrant(me, 'sandbox', ['sandbox'])).toBe(true);
  });

  it('lists the changed fields of a journal entry', () => {
    expect(staffChanges({ rights: [], enabled: true, rowVersion: 1 }, { rights: ['wd:create'], enabled: true, rowVersion: 2 })).toEqual(['rights: [] → [wd:create]']);
    expect(staffChanges(null, { enabled: true })).toEqual(['enabled: ∅ → true']);
  });
});
