import type { LayoutServerLoad } from './$types';

// Every page, public ones too, knows who is signed in: the header, the demo notice and each change's CSRF token.
export const load: LayoutServerLoad = ({ locals }) => ({ session: locals.session });
