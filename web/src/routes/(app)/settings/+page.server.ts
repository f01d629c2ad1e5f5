import { redirect } from '@sveltejs/kit';
import type { PageServerLoad } from './$types';

// Settings has no page of its own yet: its first section is the accounts.
export const load: PageServerLoad = () => redirect(307, '/settings/accounts');
