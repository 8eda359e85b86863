import { createContext, useContext, useEffect, useState } from 'react';
import type { ReactNode } from 'react';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { get, getToken, post, setToken, setUnauthorizedHandler } from './api/client';
import type { Me, TokenResponse } from './api/models';
import { canEditDefinitions } from './lib/access';

interface AuthState {
  token: string | null;
  me: Me | undefined;
  loading: boolean;
  signIn: (username: string, password: string) => Promise<void>;
  signOut: () => void;
}
const Ctx = createContext<AuthState | null>(null);

export function AuthProvider({ children }: { children: ReactNode }) {
  const [token, setTok] = useState<string | null>(getToken());
  const qc = useQueryClient();
  const me = useQuery({ queryKey: ['me', token], queryFn: () => get<Me>('/api/auth/me'), enabled: !!token, retry: false, staleTime: 5 * 60_000 });
  const signOut = () => {
    setToken(null);
    setTok(null);
    qc.clear();
  };
  useEffect(() => {
    setUnauthorizedHandler(() => signOut());
    return () => setUnauthorizedHandler(null);
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, []);
  const signIn = async (username: string, password: string) => {
    const r = await post<TokenResponse>('/api/auth/token', { username, password });
    setToken(r.accessToken);
    qc.clear();
    setTok(r.accessToken);
  };
  return <Ctx.Provider value={{ token, me: me.data, loading: !!token && me.isLoading, signIn, signOut }}>{children}</Ctx.Provider>;
}

export function useAuth(): AuthState {
  const c = useContext(Ctx);
  if (!c) throw new Error('AuthProvider missing');
  return c;
}

/** May use the designer: the `definitions:edit` right (see lib/access.ts). */
export const isAnalyst = (me: Me | undefined) => canEditDefinitions(me);
