/**
 * The content-scan rules, as data: one row per rule (id, severity, what it catches, matcher). A rule's
 * severity is fixed; where one kind of text can be harmless or hostile depending on what surrounds it,
 * there are two rules (`sensitive-path-mention` low, `sensitive-path-directive` high), so a finding's
 * rule id says which it is and an allowlist entry silences exactly one of them.
 *
 * The wording rules read the normalised text (invisible characters removed, look-alike letters
 * folded: see unicode.ts). False positives cost as much as misses: popular servers say "You MUST call
 * X before Y", "IMPORTANT:", name tokens, SSH keys and `.env` files while explaining what they do.
 * So a phrase aimed at the model is matched only in the shapes that attacks use and explanations do
 * not (an instruction to hide something from the user, a claim to be the system, a tag block), and a
 * sensitive path is high only when a sentence tells the model to fetch or pass it. docs/content-scan.md
 * has the table and the reasons.
 */
import type { ContentFinding } from '../api/probe.ts';
import {
  BIDI_CONTROL,
  contextAround,
  decodeTagRun,
  decodeVariationSelectors,
  escapeChar,
  isEmojiTagSequence,
  isLegitimateJoiner,
  normaliseText,
  TAG_RUN,
  VARIATION_SELECTOR_RUN,
  ZERO_WIDTH,
} from './unicode.ts';

export type Severity = ContentFinding['severity'];

/** One string of a definition, with where it sits. */
export interface ScanField {
  /** `tool:read_file.description`, `tool:x.inputSchema.properties.path.description`, `instructions`. */
  where: string;
  /** The string as the server sent it. */
  raw: string;
  /** The string the wording rules read: see normaliseText. */
  text: string;
  /**
   * `text`: a value (description, title, schema string, instructions); `property`: the name of an
   * input-schema property (its `where` is the property's path); `key`: any other object key that holds
   * invisible characters.
   */
  kind: 'text' | 'property' | 'key';
  /** The definition the field belongs to (all its fields), or null for the server's instructions. */
  owner: Owner | null;
}

export interface Owner {
  kind: 'tool' | 'prompt' | 'resource' | 'resource_template';
  /** `tool:read_file` */
  label: string;
  fields: ScanField[];
}

export interface RuleContext {
  /** Tools of the other registered servers, less any name this server exposes too, with mentionPattern(tool). */
  otherTools: { server: string; tool: string; pattern: RegExp }[];
}

export interface RuleHit {
  /** The matched text, invisible characters escaped, hidden text decoded. */
  match: string;
  message: string;
}

export interface ContentRule {
  id: string;
  severity: Severity;
  /** What it catches, one line, for docs and UIs. */
  description: string;
  matcher: (field: ScanField, context: RuleContext) => RuleHit[];
}

// ---------------------------------------------------------------------------------------------
// Helpers
// ---------------------------------------------------------------------------------------------

const MAX_MATCH = 200;

export function clip(text: string, max = MAX_MATCH): string {
  const one = text.replace(/\s+/g, ' ').trim();
  return one.length <= max ? one : `${one.slice(0, max - 1)}…`;
}

const rx = (source: string, flags = 'giu'): RegExp => new RegExp(source, flags);

/** Sentences of a normalised text: split after . ! ? followed by a space, and at line breaks. */
export function sentences(text: string): string[] {
  return text
    .split(/(?<=[.!?])\s+|\n+/u)
    .map((s) => s.trim())
    .filter((s) => s !== '');
}

/** Every match of any of the patterns, as hits: one per stretch of text (overlapping matches count once). */
function phraseHits(text: string, patterns: readonly RegExp[], message: (match: string) => string): RuleHit[] {
  const spans: { start: number; end: number; match: string }[] = [];
  for (const pattern of patterns) {
    for (const m of text.matchAll(pattern)) {
      const start = m.index;
      const end = start + m[0].length;
      if (spans.some((s) => start < s.end && end > s.start)) continue;
      spans.push({ start, end, match: clip(m[0]) });
    }
  }
  spans.sort((a, b) => a.start - b.start);
  const seen = new Set<string>();
  return spans.filter((s) => !seen.has(s.match) && seen.add(s.match)).map((s) => ({ match: s.match, message: message(s.match) }));
}

const textOnly = (field: ScanField): boolean => field.kind === 'text';

// ---------------------------------------------------------------------------------------------
// Wording aimed at the model
// ---------------------------------------------------------------------------------------------

/** "ignore all previous instructions", "disregard the user's request", "forget everything you were told". */
export const IGNORE_INSTRUCTIONS: readonly RegExp[] = [
  // Not "override existing rules" or "ignore prior messages in the thread": infrastructure and chat
  // tools say those. The object must be the model's own instructions.
  rx(
    String.raw`\b(?:ignore|disregard|forget)\s+(?:(?:all|any|the|your|of|every|these|those)\s+)*(?:previous|prior|above|earlier|preceding|former|original|initial|system|safety|developer|your)\s+(?:instructions?|prompts?|directions?|directives?|rules|guidelines|guardrails|constraints)\b`,
  ),
  rx(String.raw`\b(?:ignore|disregard|forget)\s+(?:all\s+)?(?:of\s+)?the\s+above\b`),
  rx(String.raw`\b(?:override|bypass)\s+(?:your|the|all|any)\s+(?:system\s+prompt|safety\s+(?:guidelines|rules|instructions)|guardrails|(?:previous|prior|original)\s+instructions)\b`),
  rx(String.raw`\bdisregard\s+(?:what(?:ever)?|anything|everything)\s+(?:the\s+user|you\s+(?:were|have\s+been|'ve\s+been))\b[^.!?\n]{0,40}`),
  rx(String.raw`\bforget\s+(?:everything|all)\s+(?:you\s+(?:were|have\s+been|'ve\s+been)\s+told|(?:that\s+)?(?:came\s+)?before)\b`),
  rx(String.raw`\binstead\s+of\s+(?:doing\s+)?what\s+the\s+user\s+(?:asked|requested|wants|said)\b`),
];

/** "do not tell the user", "don't let the user know", "without informing the user", "do not mention that you". */
export const CONCEAL_FROM_USER: readonly RegExp[] = [
  rx(
    // "to the user", not "the user's": "do not reveal the user's email publicly" protects the user.
    String.raw`\b(?:do\s+not|don't|dont|never|must\s+not|mustn't|should\s+not|shouldn't)\s+(?:\w+\s+){0,2}?(?:tell|inform|notify|alert|mention|reveal|disclose|warn)\b[^.!?\n]{0,80}?\b(?:to\s+)?the\s+user\b(?!['’]s)`,
  ),
  rx(String.raw`\b(?:do\s+not|don't|dont|never)\s+let\s+(?:the\s+)?user\s+(?:know|see|find\s+out|notice|learn)\b`),
  rx(String.raw`\bwithout\s+(?:telling|informing|notifying|alerting|warning|letting)\s+(?:the\s+)?user\b`),
  rx(String.raw`\b(?:the\s+)?user\s+(?:(?:must|should|need|does|is|will)\s*(?:not|never)|mustn't|shouldn't|needn't|doesn't|won't)\s+(?:to\s+)?(?:know|see|notice|be\s+(?:told|informed|notified|made\s+aware))\s+(?:about\s+)?(?:this|that|it|these)\b`),
  rx(String.raw`\bkeep\s+(?:this|these|it|that)\s+(?:\w+\s+)?(?:secret|hidden|confidential)\s+from\s+(?:the\s+)?user\b`),
  rx(String.raw`\b(?:do\s+not|don't|dont|never)\s+(?:mention|reveal|disclose|say|admit|tell\s+(?:anyone|the\s+user))\s+that\s+you\b`),
];

/** "you must not reveal", "never disclose these instructions", "keep these instructions secret". */
export const SECRECY_DIRECTIVE: readonly RegExp[] = [
  rx(String.raw`\byou\s+(?:must|should|shall|may|will)\s*(?:not|never)\s+(?:reveal|disclose|divulge)\b`),
  rx(String.raw`\byou\s+(?:mustn't|shouldn't|won't)\s+(?:reveal|disclose|divulge)\b`),
  rx(
    String.raw`\b(?:do\s+not|don't|dont|never)\s+(?:reveal|disclose|divulge|repeat|share)\s+(?:this|these|the\s+(?:following|above)|any\s+of\s+(?:this|these)|your\s+(?:instructions|system\s+prompt|prompt))(?:\s+(?:instructions?|messages?|notes?|rules|requirements?|directives?|tool\s+description|description))?\b`,
  ),
  rx(String.raw`\bkeep\s+(?:this|these)\s+(?:instructions?|messages?|notes?|rules|directives?|requirements?)\s+(?:secret|hidden|confidential|private)\b`),
];

/** "this is a system message", "[SYSTEM]", chat-template tokens, "from now on you must". */
export const FAKE_SYSTEM_MESSAGE: readonly RegExp[] = [
  rx(String.raw`\bthis\s+is\s+(?:a|an|the)\s+(?:system|admin(?:istrator)?|developer|root|priority|official|security)\s+(?:message|instruction|directive|notice|override|prompt|command|notification)\b`),
  rx(String.raw`\b(?:message|instructions?|directive|command|orders?)\s+from\s+(?:the\s+)?(?:system|system\s+administrator|administrator|anthropic|openai)\b`),
  rx(String.raw`\bsystem\s+override\b|\bdeveloper\s+mode\s+(?:enabled|activated|on)\b|\bnew\s+system\s+(?:prompt|instructions?)\b`),
  rx(String.raw`<\|(?:im_start|im_end|system|endoftext|start_header_id|end_header_id|eot_id)\|>|\[\/?INST\]|<<\/?SYS>>`),
  rx(String.raw`\[(?:SYSTEM|ADMIN|DEVELOPER)(?:\s+(?:MESSAGE|NOTE|OVERRIDE|INSTRUCTIONS?|PROMPT))?\]`),
  rx(String.raw`\b(?:from\s+now\s+on|henceforth),?\s+you\s+(?:must|will|shall|should|are\s+to|are\s+now)\b`),
];

/** `<IMPORTANT>…</IMPORTANT>`, `<system>`, `<instructions>`, `<secret>`, `<hidden>` blocks. */
export const TAG_BLOCK = rx(
  String.raw`<\s*(important|system|instructions?|secret|hidden|admin|system[-_ ]?(?:message|prompt|instructions?|reminder|note))\s*>([\s\S]{0,4000}?)<\s*\/\s*\1\s*>|<\s*(important|system)\s*>[\s\S]{0,160}`,
);

// ---------------------------------------------------------------------------------------------
// Sensitive paths
// ---------------------------------------------------------------------------------------------

export interface SensitivePath {
  label: string;
  regex: RegExp;
}

/** Files that hold keys, tokens or other servers' configs. `.env` as a file, never "environment" or `process.env`. */
export const SENSITIVE_PATHS: readonly SensitivePath[] = [
  { label: 'SSH directory', regex: rx(String.raw`(?:~|\$HOME|%USERPROFILE%)[/\\]\.ssh\b|(?<![\w.-])\.ssh[/\\]`) },
  { label: 'SSH private key', regex: rx(String.raw`\bid_(?:rsa|ed25519|ecdsa|dsa)\b(?!\.pub)`) },
  { label: '.env file', regex: rx(String.raw`(?<![\w.$-])\.env(?:\.(?:local|production|prod|development|dev|staging|test))?(?![\w-]|\.[A-Za-z])`) },
  { label: 'MCP client config', regex: rx(String.raw`\bmcp\.json\b|\bclaude_desktop_config\.json\b|\bmcp_config\.json\b`) },
  { label: 'AWS credentials', regex: rx(String.raw`\.aws[/\\]credentials\b`) },
  { label: 'npm credentials', regex: rx(String.raw`(?<![\w-])\.npmrc\b`) },
  { label: 'netrc credentials', regex: rx(String.raw`(?<![\w-])[._]netrc\b`) },
  { label: 'PyPI credentials', regex: rx(String.raw`(?<![\w-])\.pypirc\b`) },
  { label: 'git credentials', regex: rx(String.raw`(?<![\w-])\.git-credentials\b`) },
  { label: 'Docker credentials', regex: rx(String.raw`\.docker[/\\]config\.json\b`) },
  { label: 'Kubernetes config', regex: rx(String.raw`\.kube[/\\]config\b`) },
  { label: 'PostgreSQL password file', regex: rx(String.raw`(?<![\w-])\.pgpass\b`) },
  { label: 'shadow password file', regex: rx(String.raw`/etc/shadow\b`) },
  { label: 'GnuPG keyring', regex: rx(String.raw`(?:~|\$HOME)[/\\]\.gnupg\b`) },
  { label: 'shell history', regex: rx(String.raw`(?<![\w-])\.(?:bash|zsh)_history\b`) },
];

/** Each sensitive path mentioned in a text: [label, matched text, index]. */
export function sensitivePathsIn(text: string): { label: string; match: string; index: number }[] {
  const found: { label: string; match: string; index: number }[] = [];
  for (const path of SENSITIVE_PATHS) {
    for (const m of text.matchAll(path.regex)) found.push({ label: path.label, match: m[0], index: m.index });
  }
  return found;
}

/** Verbs that get a file's content, or hand something over. */
const ACQUIRE = 'read|cat|open|load|fetch|retrieve|grab|collect|access|extract|copy|dump';
const TRANSFER = 'send|pass|include|attach|upload|forward|post|paste|append|provide|transmit|exfiltrate|submit|share|put|insert|embed|output|print|echo|leak|email|give|add';
/**
 * A verb used as an order: at the start of a sentence or clause, or after a word that makes it one
 * ("then", "please", "always", "you must", "make sure to"). "Reads ~/.aws/credentials" is a
 * description; "read ~/.aws/credentials" after "Before using this tool," is an order.
 */
const LEAD = String.raw`(?:^|[,;:(]\s*|[-–—]\s+|\b(?:and|then|first|firstly|also|please|always|now|just|must|should|need\s+to|have\s+to|required\s+to|make\s+sure\s+(?:to|you)|be\s+sure\s+to|remember\s+to|(?:do\s+not|don't)\s+forget\s+to|you\s+(?:must|should|will|need\s+to|have\s+to|are\s+required\s+to))\s+)`;
const NEGATED_BEFORE = /\b(?:not|never|don't|dont|doesn't|avoid|without|nor|cannot|can't|won't)\s+(?:\w+\s+){0,2}$/iu;

/** The first verb from `verbs` used as an order and not negated, or undefined. */
const IMPERATIVE_CACHE = new Map<string, { order: RegExp; verbAtEnd: RegExp }>();

export function imperative(sentence: string, verbs: string): string | undefined {
  let compiled = IMPERATIVE_CACHE.get(verbs);
  if (compiled === undefined) {
    compiled = { order: rx(`${LEAD}(?:${verbs})\\b`), verbAtEnd: rx(`(?:${verbs})$`, 'iu') };
    IMPERATIVE_CACHE.set(verbs, compiled);
  }
  for (const m of sentence.matchAll(compiled.order)) {
    const before = sentence.slice(0, m.index + m[0].length).replace(compiled.verbAtEnd, '');
    // "don't forget to send" is an order, not a negation.
    if (!NEGATED_BEFORE.test(before) || /\bforget\s+to\s+$/iu.test(before)) return m[0].trim();
  }
  return undefined;
}

/** Words that make a sentence an order to the model about its own next steps, not a description. */
const MODEL_DIRECTED: readonly RegExp[] = [
  rx(String.raw`\bbefore\s+(?:using|calling|invoking|running|executing|you\s+(?:use|call|run|invoke))\b`, 'iu'),
  rx(String.raw`\b(?:first|otherwise|always|you\s+(?:must|should|need\s+to|have\s+to|are\s+required\s+to)|make\s+sure|be\s+sure|remember\s+to|forget\s+to|it\s+is\s+(?:required|mandatory|necessary|essential))\b`, 'iu'),
  rx(String.raw`\b(?:pass|send|include|attach|put|provide|add|append|insert|paste|upload|forward|post|submit|share|give|embed)\s+(?:its|their|the|this|that|the\s+file'?s?)\s+(?:full\s+|entire\s+|complete\s+|raw\s+)?contents?\b`, 'iu'),
  rx(String.raw`\bto\s+(?:https?:\/\/|[\w.+-]+@[\w-]+\.[\w.]+)`, 'iu'),
];

// ---------------------------------------------------------------------------------------------
// Harvesting: asking for the conversation, the system prompt, secrets or other files
// ---------------------------------------------------------------------------------------------

const SECRET_NOUN = String.raw`(?:api[\s_-]?keys?|access\s+tokens?|auth(?:entication)?\s+tokens?|bearer\s+tokens?|tokens?|passwords?|passphrases?|credentials?|secrets?|private\s+keys?|ssh\s+keys?|environment\s+variables|env\s+vars|cookies|session\s+(?:tokens?|ids?))`;

export const HARVEST: readonly RegExp[] = [
  // The conversation, in full.
  // (Not "the full message history of a Slack channel": that is some other conversation, named.)
  rx(String.raw`\b(?:entire|full|complete|whole|verbatim|raw|all(?:\s+of)?(?:\s+the)?|every)\s+(?:previous\s+|prior\s+|past\s+|earlier\s+|current\s+)?(?:conversation|chat|dialog(?:ue)?|transcript|message\s+history|messages|chat\s+history|history\s+of\s+(?:the|this)\s+(?:conversation|chat))\b(?!(?:\s+history)?\s+(?:of|in|from|for|on)\s+(?:a|an|the|that|each|every|any|another|one)\b)(?:\s+history)?`),
  rx(String.raw`\b(?:all|every)\s+(?:previous|prior|earlier|past)\s+(?:messages?|turns|prompts|user\s+messages)\b`),
  rx(String.raw`\beverything\s+(?:the\s+user|you)\s+(?:has\s+|have\s+)?(?:said|wrote|written|typed|asked)\b`),
  // The model's own instructions.
  rx(String.raw`\byour\s+(?:system\s+prompt|system\s+message|(?:full|entire|original|initial|hidden|complete)\s+instructions|developer\s+message)\b`),
  rx(String.raw`\b(?:full|entire|complete|verbatim|exact)\s+(?:text\s+of\s+)?(?:the|your)\s+system\s+prompt\b`),
  // Secrets the model has seen.
  rx(String.raw`\b(?:all|any|every|whatever)\s+(?:of\s+the\s+|the\s+|other\s+)?${SECRET_NOUN}\s+(?:that\s+)?(?:you|the\s+(?:assistant|model|agent))\s+(?:have|has|know|can|could|found|saw|see|came|remember)\b`),
  rx(String.raw`\b${SECRET_NOUN}\s+(?:that\s+)?(?:you|the\s+(?:assistant|model|agent))\s+(?:have\s+(?:seen|access\s+to|found|read)|know|can\s+(?:see|find|access|read)|found|saw|came\s+across)\b`),
  rx(String.raw`\b(?:all|any|every)\s+${SECRET_NOUN}\s+(?:in|from)\s+(?:the|this|your)\s+(?:context|conversation|environment|chat|memory|session)\b`),
  // Other files, wholesale.
  rx(String.raw`\b(?:contents?|text)\s+of\s+(?:all|any|every|each|other)\s+(?:\w+\s+)?(?:files?|documents?)\s+(?:that\s+)?(?:you|the\s+(?:assistant|model|agent))\s+(?:have\s+|has\s+)?(?:read|opened|seen|accessed|loaded)\b`),
  rx(String.raw`\b(?:contents?|text)\s+of\s+(?:all|every)\s+(?:\w+\s+)?files?\s+in\s+(?:the\s+user's|your|the)\s+(?:home|workspace|project|context)\b`),
  // Everything the model knows.
  rx(String.raw`\beverything\s+(?:you\s+(?:know|have|remember|can\s+see|have\s+seen|have\s+read|read|saw)|(?:in|from)\s+(?:the|this|your)\s+(?:conversation|context|chat|memory|session|history))\b`),
  rx(String.raw`\ball\s+(?:the\s+)?(?:information|context|data|details)\s+(?:you\s+(?:have|know|can\s+(?:see|access))|available\s+to\s+you|in\s+(?:the|this|your)\s+(?:context|conversation|context\s+window))\b`),
];

/** Only in the description of an exfiltration-shaped parameter: "put everything here". */
const HARVEST_PARAMETER_ONLY: readonly RegExp[] = [rx(String.raw`\b(?:include|add|put|paste|dump|write|insert|provide|pass|fill\s+(?:it|this)\s+with)\s+(?:absolutely\s+)?everything\b`)];

const HARVEST_ONCE = HARVEST.map((p) => rx(p.source, 'iu'));
const HARVEST_PARAMETER_ONCE = [...HARVEST_ONCE, ...HARVEST_PARAMETER_ONLY.map((p) => rx(p.source, 'iu'))];

function harvestIn(text: string, forParameter = false): string | undefined {
  for (const pattern of forParameter ? HARVEST_PARAMETER_ONCE : HARVEST_ONCE) {
    const m = pattern.exec(text);
    if (m !== null) return m[0];
  }
  // A parameter described as "the contents of ~/.aws/credentials". (In other text, an order to read
  // or send a sensitive file is sensitive-path-directive's.)
  const path = forParameter ? sensitivePathsIn(text)[0] : undefined;
  if (path !== undefined && /\b(?:contents?|text|data)\b/iu.test(text)) return `the contents of ${path.match}`;
  return undefined;
}

/**
 * Input-schema property names that invite a side channel (after camelCase to snake_case). Only a
 * name from this list AND a description asking for harvested content make `exfil-parameter`; a
 * plain `notes` with a neutral description is fine.
 */
export const EXFIL_PARAMETER_NAME =
  /^(?:notes?|side_?notes?|context|additional_(?:context|info|information|notes|data)|extra(?:_info|_data|_context|_notes)?|feedback|metadata|meta|debug(?:_info|_data|_notes)?|comments?|remarks|annotations?|contents?_of_\w+|file_?contents?|files?_content|conversation(?:_\w+)?|chat_?history|chat_?log|history|message_history|system_?prompt|prompt_history|memory|memories|context_\w+|env_?vars|environment|secrets_?\w*)$/;

export const snakeCase = (name: string): string =>
  name
    .replace(/([a-z0-9])([A-Z])/g, '$1_$2')
    .replace(/[-\s]+/g, '_')
    .toLowerCase();

const escapeRegExp = (s: string): string => s.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');

/** A sentence naming the parameter: quoted, or beside "parameter"/"argument"/"field", or a name with `_`. */
function namesParameter(sentence: string, name: string): boolean {
  const n = escapeRegExp(name);
  if (rx(`[\`'"“‘]${n}[\`'"”’]`).test(sentence)) return true;
  if (rx(`\\b${n}\\s+(?:parameter|argument|param|field|property|input)\\b|\\b(?:parameter|argument|param|field|property|input)\\s+${n}\\b`).test(sentence)) return true;
  return /[_A-Z]/.test(name) && rx(`(?<![\\w-])${n}(?![\\w-])`).test(sentence);
}

const FILL_VERB = rx(String.raw`\b(?:pass|put|include|send|provide|add|fill|insert|write|append|set|supply|place|paste|copy|store|attach)\b`, 'iu');
/** "pass its content as 'sidenote'", where the same text names a sensitive file. */
const ITS_CONTENT = rx(String.raw`\b(?:its|their|the\s+file'?s?|that\s+file'?s?)\s+(?:full\s+|entire\s+|complete\s+|raw\s+)?contents?\b`, 'iu');

// ---------------------------------------------------------------------------------------------
// Shadowing: naming another server's tools
// ---------------------------------------------------------------------------------------------

/**
 * How to find a tool name in prose. A name with `_`, `-`, `.` or an inner capital (`send_email`,
 * `getUser`) is looked for anywhere; a plain word (`search`, `query`) only as "the search tool" or
 * "tool `search`", since a bare or quoted word is far more often a parameter or the word itself.
 */
export function mentionPattern(tool: string): RegExp {
  const t = escapeRegExp(tool);
  if (/[_.-]|[a-z][A-Z]/.test(tool)) return rx(`(?<![\\w-])${t}(?![\\w-])`, 'iu');
  return rx(`[\`'"“‘]?\\b${t}\\b[\`'"”’]?\\s+tool\\b|\\btool\\s+[\`'"“‘]${t}[\`'"”’]`, 'iu');
}

/** Words that turn a mention into an order about how the other tool is used. */
const SHADOW_DIRECTIVE = rx(
  String.raw`\b(?:when(?:ever)?|before|after|if|instead\s+of|rather\s+than)\b[^.!?\n]{0,60}?\b(?:us(?:e|es|ing)|call(?:s|ing|ed)?|invok(?:e|es|ing)|runn?(?:s|ing)?|execut(?:e|es|ing)|send(?:s|ing)?)\b|\b(?:always|never|must|should|make\s+sure|ensure|be\s+sure|do\s+not|don't|instead|replace|override|change|modify|redirect|bcc|cc|forward|prefer|avoid|only\s+use)\b`,
  'iu',
);

interface Mention {
  server: string;
  tool: string;
  sentence: string;
  directive: boolean;
}

function mentions(field: ScanField, context: RuleContext): Mention[] {
  if (!textOnly(field) || context.otherTools.length === 0) return [];
  const lower = field.text.toLowerCase();
  const candidates = context.otherTools.filter(({ tool }) => lower.includes(tool.toLowerCase()));
  if (candidates.length === 0) return [];
  const found: Mention[] = [];
  for (const sentence of sentences(field.text)) {
    for (const { server, tool, pattern } of candidates) {
      if (!pattern.test(sentence)) continue;
      found.push({ server, tool, sentence, directive: SHADOW_DIRECTIVE.test(sentence) });
    }
  }
  return found;
}

// ---------------------------------------------------------------------------------------------
// Invisible characters
// ---------------------------------------------------------------------------------------------

/** The rules whose match in decoded hidden text makes it an instruction (critical). */
const HIDDEN_INSTRUCTION_RULES = [
  'ignore-instructions',
  'conceal-from-user',
  'secrecy-directive',
  'fake-system-message',
  'instruction-tag-block',
  'sensitive-path-directive',
  'harvest-request',
];

interface HiddenRun {
  encoding: 'tag characters' | 'variation selectors';
  decoded: string;
  index: number;
  length: number;
}

function hiddenRuns(raw: string): HiddenRun[] {
  const runs: HiddenRun[] = [];
  for (const m of raw.matchAll(TAG_RUN)) {
    if (isEmojiTagSequence(raw, m.index, m[0])) continue;
    runs.push({ encoding: 'tag characters', decoded: decodeTagRun(m[0]), index: m.index, length: m[0].length });
  }
  for (const m of raw.matchAll(VARIATION_SELECTOR_RUN)) {
    runs.push({ encoding: 'variation selectors', decoded: decodeVariationSelectors(m[0]), index: m.index, length: m[0].length });
  }
  return runs;
}

/** Rule ids of HIDDEN_INSTRUCTION_RULES that match a decoded hidden text. */
function instructionRulesIn(decoded: string, context: RuleContext): string[] {
  const field: ScanField = { where: '', raw: decoded, text: normaliseText(decoded), kind: 'text', owner: null };
  return CONTENT_RULES.filter((rule) => HIDDEN_INSTRUCTION_RULES.includes(rule.id) && rule.matcher(field, context).length > 0).map((rule) => rule.id);
}

const showHidden = (decoded: string): string => `hidden text: "${clip(decoded.replace(/[\u0000-\u001F\u007F]/g, (c) => escapeChar(c)), MAX_MATCH - 16)}"`;

function hiddenMatcher(wantInstruction: boolean, encoding?: HiddenRun['encoding']) {
  return (field: ScanField, context: RuleContext): RuleHit[] =>
    hiddenRuns(field.raw)
      .filter((run) => (encoding === undefined || run.encoding === encoding) && run.decoded.trim() !== '')
      .flatMap((run): RuleHit[] => {
        const rules = instructionRulesIn(run.decoded, context);
        if ((rules.length > 0) !== wantInstruction) return [];
        const what = `${[...field.raw.slice(run.index, run.index + run.length)].length} invisible ${run.encoding}`;
        return [
          {
            match: showHidden(run.decoded),
            message: wantInstruction
              ? `Invisible ${run.encoding} hide an instruction to the model (${rules.join(', ')}): the user cannot see it, the model reads it.`
              : `${what[0]?.toUpperCase()}${what.slice(1)} hide text the user cannot see but the model reads.`,
          },
        ];
      });
}

function invisibleMatcher(pattern: RegExp, label: string, legitimate: (raw: string, index: number) => boolean) {
  return (field: ScanField): RuleHit[] => {
    const positions = [...field.raw.matchAll(pattern)].filter((m) => !legitimate(field.raw, m.index));
    const first = positions[0];
    if (first === undefined) return [];
    const last = positions.at(-1) ?? first;
    const counts = new Map<string, number>();
    for (const m of positions) counts.set(escapeChar(m[0]), (counts.get(escapeChar(m[0])) ?? 0) + 1);
    const list = [...counts].map(([ch, n]) => (n > 1 ? `${ch} ×${n}` : ch)).join(', ');
    const span = contextAround(field.raw, first.index, last.index + last[0].length);
    return [{ match: clip(span), message: `${positions.length} ${label} (${list}) inside the text: invisible to the user, read by the model.` }];
  };
}

// ---------------------------------------------------------------------------------------------
// The table
// ---------------------------------------------------------------------------------------------

export const CONTENT_RULES: readonly ContentRule[] = [
  // Invisible Unicode
  {
    id: 'hidden-instruction',
    severity: 'critical',
    description: 'Tag characters (U+E0000–U+E007F) or a run of variation selectors hide text that is itself an instruction to the model.',
    matcher: hiddenMatcher(true),
  },
  {
    id: 'hidden-tag-text',
    severity: 'high',
    description: 'Tag characters (U+E0000–U+E007F) hide ASCII text; the finding shows it decoded. Flag emoji tag sequences are exempt.',
    matcher: hiddenMatcher(false, 'tag characters'),
  },
  {
    id: 'hidden-variation-selector-text',
    severity: 'high',
    description: 'A run of two or more variation selectors carries hidden bytes (emoji smuggling); the finding shows them decoded.',
    matcher: hiddenMatcher(false, 'variation selectors'),
  },
  {
    id: 'bidi-control',
    severity: 'high',
    description: 'Bidirectional embedding, override or isolate controls (U+202A–U+202E, U+2066–U+2069) that make displayed text differ from what the model reads.',
    matcher: invisibleMatcher(BIDI_CONTROL, 'bidirectional control character(s)', () => false),
  },
  {
    id: 'zero-width-char',
    severity: 'medium',
    description: 'Zero-width characters (U+200B–U+200D, U+2060, U+FEFF after the start) inside text; joiners in emoji and in scripts that need them are exempt.',
    matcher: invisibleMatcher(ZERO_WIDTH, 'zero-width character(s)', (raw, index) => (raw[index] === '\uFEFF' && index === 0) || isLegitimateJoiner(raw, index)),
  },
  // Wording aimed at the model
  {
    id: 'ignore-instructions',
    severity: 'high',
    description: 'Tells the model to ignore, disregard or forget its previous instructions or the user’s request.',
    matcher: (field) => (textOnly(field) ? phraseHits(field.text, IGNORE_INSTRUCTIONS, () => 'Tells the model to set aside its instructions: a prompt injection.') : []),
  },
  {
    id: 'conceal-from-user',
    severity: 'high',
    description: 'Tells the model to hide something from the user: "do not tell the user", "without informing the user", "do not mention that you…".',
    matcher: (field) => (textOnly(field) ? phraseHits(field.text, CONCEAL_FROM_USER, () => 'Tells the model to keep something from the user: no honest tool needs that.') : []),
  },
  {
    id: 'secrecy-directive',
    severity: 'high',
    description: 'Tells the model to keep these instructions secret: "you must not reveal", "never disclose these instructions".',
    matcher: (field) => (textOnly(field) ? phraseHits(field.text, SECRECY_DIRECTIVE, () => 'Tells the model to keep its instructions secret.') : []),
  },
  {
    id: 'fake-system-message',
    severity: 'high',
    description: 'Claims to be a system, administrator or developer message, or carries chat-template control tokens.',
    matcher: (field) => (textOnly(field) ? phraseHits(field.text, FAKE_SYSTEM_MESSAGE, () => 'Poses as a system or developer message to gain the model’s trust.') : []),
  },
  {
    id: 'instruction-tag-block',
    severity: 'high',
    description: 'An <IMPORTANT>, <system>, <instructions>, <secret> or <hidden> tag block: the markup of published tool-poisoning attacks.',
    matcher: (field) => {
      if (!textOnly(field)) return [];
      return [...field.text.matchAll(TAG_BLOCK)].map((m) => ({
        match: clip(m[0]),
        message: `A <${m[1] ?? m[3] ?? ''}> block addresses the model directly, the markup of published tool-poisoning attacks.`,
      }));
    },
  },
  // Sensitive paths
  {
    id: 'sensitive-path-directive',
    severity: 'high',
    description: 'A sentence naming a credential or config file (~/.ssh, id_rsa, .env, mcp.json, .aws/credentials…) orders the model to read, send or include it.',
    matcher: (field) => {
      if (!textOnly(field)) return [];
      const hits: RuleHit[] = [];
      for (const sentence of sentences(field.text)) {
        const paths = sensitivePathsIn(sentence);
        if (paths.length === 0) continue;
        const verb = imperative(sentence, `${ACQUIRE}|${TRANSFER}`);
        if (verb === undefined || !MODEL_DIRECTED.some((p) => p.test(sentence))) continue;
        const labels = [...new Set(paths.map((p) => p.label))].join(', ');
        hits.push({ match: clip(sentence), message: `Orders the model to ${(verb.split(/\s+/).at(-1) ?? verb).toLowerCase()} a sensitive file (${labels}).` });
      }
      return hits;
    },
  },
  {
    id: 'sensitive-path-mention',
    severity: 'low',
    description: 'Names a credential or config file without telling the model to read or send it (often an explanation).',
    matcher: (field) => {
      if (!textOnly(field)) return [];
      const hits: RuleHit[] = [];
      const seen = new Set<string>();
      for (const sentence of sentences(field.text)) {
        const paths = sensitivePathsIn(sentence);
        if (paths.length === 0) continue;
        const verb = imperative(sentence, `${ACQUIRE}|${TRANSFER}`);
        if (verb !== undefined && MODEL_DIRECTED.some((p) => p.test(sentence))) continue; // sensitive-path-directive's
        for (const path of paths) {
          if (seen.has(path.match)) continue;
          seen.add(path.match);
          hits.push({ match: path.match, message: `Mentions a sensitive file (${path.label}).` });
        }
      }
      return hits;
    },
  },
  // Harvesting
  {
    id: 'exfil-parameter',
    severity: 'high',
    description: 'An input parameter shaped as a side channel (notes, sidenote, context, metadata, debug, feedback, content_of_*, chat_history, system_prompt…) that the definition asks the model to fill with files, the conversation, secrets or everything.',
    matcher: (field) => {
      if (field.kind !== 'property' || field.owner === null) return [];
      const name = field.raw;
      if (!EXFIL_PARAMETER_NAME.test(snakeCase(normaliseText(name)))) return [];
      const prefix = `${field.where}.`;
      for (const own of field.owner.fields.filter((f) => f.kind === 'text' && f.where.startsWith(prefix))) {
        const found = harvestIn(own.text, true);
        if (found !== undefined) return [{ match: clip(own.text), message: `Parameter "${name}" asks the model to fill it with ${clip(found, 60)}: a channel to carry data out.` }];
      }
      for (const other of field.owner.fields.filter((f) => f.kind === 'text' && !f.where.startsWith(prefix))) {
        for (const sentence of sentences(other.text)) {
          if (!namesParameter(sentence, name)) continue;
          if (!FILL_VERB.test(sentence)) continue;
          // "pass the contents of the file to write as `file_contents`" is a write tool; the contents of
          // a sensitive file, the conversation or secrets are not.
          const harvested = harvestIn(sentence, true) !== undefined || (ITS_CONTENT.test(sentence) && sensitivePathsIn(other.text).length > 0);
          if (!harvested) continue;
          return [{ match: clip(sentence), message: `Parameter "${name}" is to be filled with harvested content, says ${other.where}: a channel to carry data out.` }];
        }
      }
      return [];
    },
  },
  {
    id: 'harvest-request',
    severity: 'high',
    description: 'Orders the model to include or send the whole conversation, its system prompt, secrets it has seen, or other files’ contents.',
    matcher: (field) => {
      if (!textOnly(field)) return [];
      // The description of an exfiltration-shaped parameter is exfil-parameter's.
      const parent = field.where.replace(/\.[^.]+$/, '');
      const parentField = field.owner?.fields.find((f) => f.kind === 'property' && f.where === parent);
      if (parentField !== undefined && EXFIL_PARAMETER_NAME.test(snakeCase(normaliseText(parentField.raw)))) return [];
      const hits: RuleHit[] = [];
      for (const sentence of sentences(field.text)) {
        if (harvestIn(sentence) === undefined) continue;
        // Handing over, not fetching: "retrieve the full message history" is what a chat tool does.
        if (imperative(sentence, `${TRANSFER}|fill|repeat|write|copy|dump`) === undefined) continue;
        hits.push({ match: clip(sentence), message: 'Orders the model to hand over the conversation, its instructions, secrets or other files.' });
      }
      return hits;
    },
  },
  // Shadowing
  {
    id: 'shadowing-instruction',
    severity: 'high',
    description: "Names another registered server's tool and tells the model how to use or change it (\"when using send_email, always BCC…\").",
    matcher: (field, context) =>
      mentions(field, context)
        .filter((m) => m.directive)
        .map((m) => ({ match: clip(m.sentence), message: `Tells the model how to use ${m.tool}, a tool of the server "${m.server}": shadowing another server's tool.` })),
  },
  {
    id: 'shadowing-mention',
    severity: 'low',
    description: "Names another registered server's tool without telling the model what to do with it.",
    matcher: (field, context) =>
      mentions(field, context)
        .filter((m) => !m.directive)
        .map((m) => ({ match: clip(m.sentence), message: `Names ${m.tool}, a tool of the server "${m.server}".` })),
  },
];
