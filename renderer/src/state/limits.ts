/**
 * MAX_PAGE_SIZE of core/api/rest.ts, repeated so the renderer does not import rest.ts at run time
 * (it builds the zod schemas at load).
 */
export const MAX_PAGE_SIZE = 500;
