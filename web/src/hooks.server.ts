import type { HandleServerError } from '@sveltejs/kit';

// Kit logs every error by default, 404s included; a mistyped URL is not worth a stack trace in the log.
export const handleError: HandleServerError = ({ error, event, status, message }) => {
  if (status !== 404) console.error(`${event.request.method} ${event.url.pathname} failed:`, error);
  return { message };
};
