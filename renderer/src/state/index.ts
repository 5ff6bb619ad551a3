export { ClientProvider, useClient } from './client.tsx';
export { useAsync, type AsyncState } from './useAsync.ts';
export { LiveProvider, useLiveEvents, useLiveRefetch, useLiveConnected, REFETCH_EVENTS } from './live.tsx';
export { navigate, useRoute, href, serverHref, parseHash, type Route } from './router.ts';
