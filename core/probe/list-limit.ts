/**
 * How many entries of one kind (tools, prompts, resources) MCP Warden reads from a server, in the
 * probe and in the launcher alike. Its own module so that the launcher, which must stay light,
 * does not load the probe's MCP client to learn a number.
 */

/** Real servers list tens or hundreds of each kind; past this a list is an attack on memory. */
export const MAX_LIST_ENTRIES = 10_000;
