import type { ManagedUser } from '$lib/api';
import { read, requireAdmin } from '$lib/server/load';
import type { PageServerLoad } from './$types';

export const load: PageServerLoad = async ({ fetch, locals, depends }) => {
  requireAdmin(locals.session, 'manage users');
  depends('app:users');
  return { users: await read<ManagedUser[]>(fetch, '/api/users') };
};
