/**
 * The one urql client of the site. GraphQL lives on the same origin as the
 * pages (the server serves both), so the URL is relative and no CORS or
 * credentials setup is needed.
 */
import { Client, cacheExchange, fetchExchange } from '@urql/core';

export const GRAPHQL_PATH = '/graphql';

export const client = new Client({
  url: GRAPHQL_PATH,
  exchanges: [cacheExchange, fetchExchange],
  // POST always: the server's body limit and depth rule apply the same way,
  // and query text never lands in access logs or proxy caches.
  preferGetMethod: false,
});

/**
 * True while Astro pre-renders an island at build time. Queries are paused
 * then: there is no server to ask, and the page must not bake in stale data.
 */
export const isServerRender = typeof window === 'undefined';
