import { error } from '@sveltejs/kit';
import type { CaseDetail } from '$lib/api';
import { read } from '$lib/server/load';
import type { PageServerLoad } from './$types';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

// The print view reads the case as the workspace does, signed in through the (app) layout.
export const load: PageServerLoad = async ({ fetch, params }) => {
  if (!UUID.test(params.id)) error(404, `There is no case ${params.id}.`);
  const detail = await read<CaseDetail>(fetch, `/api/cases/${params.id}`);
  return { case: detail, loadedAt: Date.now() };
};
