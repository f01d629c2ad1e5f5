import type { Overview } from '$lib/api';
import { read } from '$lib/server/load';
import type { PageServerLoad } from './$types';

export const load: PageServerLoad = async ({ fetch }) => ({
  overview: await read<Overview>(fetch, '/api/overview'),
});
