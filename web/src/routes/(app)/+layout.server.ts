import { error, redirect } from '@sveltejs/kit';
import { signInPath } from '$lib/paths';
import type { LayoutServerLoad } from './$types';

export const load: LayoutServerLoad = ({ locals, url }) => {
  // Reading the URL makes Kit ask the server again on every navigation inside the app, so each one passes the
  // session check in hooks.server.ts: a session that ended sends the user to sign in, not to an empty page.
  const here = url.pathname + url.search;
  if (locals.apiUnavailable) error(503, `The API did not answer: ${locals.apiUnavailable}`);
  if (!locals.session) redirect(303, signInPath(here));
  return { session: locals.session };
};
