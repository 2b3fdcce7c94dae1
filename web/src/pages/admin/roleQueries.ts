import { useQuery } from '@tanstack/react-query';
import { fetchAll } from '../../api/client';
import type { Role } from '../../api/types';

/** All roles (a short list), shared by the roles and users pages. */
export function useRoles(enabled = true) {
  return useQuery({ queryKey: ['/roles', 'all'], queryFn: () => fetchAll<Role>('/roles'), staleTime: 60_000, enabled });
}
