// Crypto configuration screens: who sees them (GET /api/auth/me; the server enforces the same rules, ADR 18).
export const CRYPTO_RIGHTS = { configure: 'crypto:configure' } as const;

type Me = { rights: string[]; departments?: string[]; allDepartments?: boolean; isSystem?: boolean } | undefined;

/** Changes coins: a person holding crypto:configure. */
export const canConfigureCoins = (me: Me) => !!me && !me.isSystem && me.rights.includes(CRYPTO_RIGHTS.configure);
/** Reads coins: Operations people, all-department supervisors and configurers; never a system. */
export const canReadCoins = (me: Me) =>
  !!me && !me.isSystem && (me.allDepartments === true || (me.departments ?? []).includes('Operations') || me.rights.includes(CRYPTO_RIGHTS.configure));
