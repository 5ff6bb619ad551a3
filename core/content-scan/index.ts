/** Content scan of MCP definitions: see scan.ts for the entry point, rules.ts for the rule table. */
export { MAX_FINDINGS, MAX_FINDINGS_PER_RULE_AND_FIELD, scanDefinitions, scanFields, type ScanContext, type ScanInput } from './scan.ts';
export { CONTENT_RULES, type ContentRule, type RuleHit, type ScanField } from './rules.ts';
