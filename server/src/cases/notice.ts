import { CAUSES, type CauseId, type NoticeExtract } from './model.ts';

// Amazon's API gives no notice text: the seller pastes the email or the Performance Notification into the case,
// and this reads what it can from it. The reading is lenient (emails arrive re-wrapped, forwarded, with their
// headers) and careful about the deadline: a wrong one is worse than none, so a span counts only in a sentence that
// asks the seller to act, and never when it is Amazon's own review time or a look-back window.

const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;

/** Pasted text arrives with Windows line ends, non-breaking spaces, typographic quotes and dashes. */
function normalize(text: string): string {
  return text
    .replace(/\r\n?/g, '\n')
    .replace(/[\u00a0\u2000-\u200a\u202f\u205f\u3000\t]/g, ' ')
    .replace(/[\u2018\u2019]/g, "'")
    .replace(/[\u201c\u201d]/g, '"')
    .replace(/[\u2010-\u2013]/g, '-');
}

const squash = (s: string) => s.replace(/\s+/g, ' ').trim();

interface Found<T> {
  index: number;
  end: number;
  value: T;
}

/** Every match of every pattern, by position; a match inside an earlier or longer one is dropped. */
function findAll<T>(
  text: string,
  patterns: ReadonlyArray<[RegExp, (m: RegExpExecArray) => T | null]>,
): Found<T>[] {
  const all: Found<T>[] = [];
  for (const [pattern, read] of patterns) {
    const re = new RegExp(pattern.source, pattern.flags.includes('g') ? pattern.flags : `${pattern.flags}g`);
    for (let m = re.exec(text); m; m = re.exec(text)) {
      const value = read(m);
      if (value !== null) all.push({ index: m.index, end: m.index + m[0].length, value });
      if (m[0] === '') re.lastIndex++;
    }
  }
  all.sort((a, b) => a.index - b.index || b.end - a.end);
  const kept: Found<T>[] = [];
  for (const f of all) {
    const last = kept[kept.length - 1];
    if (!last || f.index >= last.end) kept.push(f);
  }
  return kept;
}

function unique<T>(values: Iterable<T>, key: (v: T) => string = String): T[] {
  const seen = new Set<string>();
  const out: T[] = [];
  for (const v of values) {
    const k = key(v);
    if (seen.has(k)) continue;
    seen.add(k);
    out.push(v);
  }
  return out;
}

// ---------------------------------------------------------------------------------------------------------------
// ASINs and order ids

const ASIN = /\bB0[A-Z0-9]{8}\b/gi;
/** A book's ASIN is its ISBN-10: ten digits (the last may be X), which many other numbers also are, so it counts
 * only in a list that follows an "ASIN" label. */
const ASIN_LABEL = /\bASIN(?:s\b|\(s\)|\b)(?:\s*\/\s*ISBN(?:-10)?s?\b)?[ \t]*[:#=-]?/gi;
const LISTED_ID = /(?:\s|[,;/|]|\band\b)*\b(B0[A-Z0-9]{8}|\d{9}[\dX])\b/iy;
const ORDER_ID = /\b\d{3}-\d{7}-\d{7}\b/g;

function readAsins(text: string): string[] {
  const found: Array<{ index: number; asin: string }> = [];
  for (const m of text.matchAll(ASIN)) found.push({ index: m.index, asin: m[0].toUpperCase() });
  for (const label of text.matchAll(ASIN_LABEL)) {
    const listed = new RegExp(LISTED_ID.source, LISTED_ID.flags);
    listed.lastIndex = label.index + label[0].length;
    for (let m = listed.exec(text); m; m = listed.exec(text)) {
      const id = m[1]!.toUpperCase();
      if (/^\d/.test(id)) found.push({ index: m.index + m[0].length - id.length, asin: id });
    }
  }
  found.sort((a, b) => a.index - b.index);
  return unique(found.map((f) => f.asin));
}

const readOrderIds = (text: string) => unique(Array.from(text.matchAll(ORDER_ID), (m) => m[0]));

// ---------------------------------------------------------------------------------------------------------------
// Policies and causes

const w = (words: string) => words.trim().split(/\s+/).join('\\s+');

/**
 * Policy names as Amazon writes them (in notices and on the Account Health page), each with the cause it points
 * to. `null`: a policy nearly every notice cites (the Code of Conduct, the Business Solutions Agreement), which
 * tells nothing about the cause.
 */
const POLICY_NAMES: ReadonlyArray<[string, CauseId | null]> = [
  [w('order defect rate'), 'order_defects'],
  [w('late shipment rate'), 'late_shipment'],
  [`(?:pre-?\\s*fulfil{1,2}ment\\s+)?${w('cancel(?:lation)? rate')}`, 'cancellations'],
  [w('valid tracking rate'), 'valid_tracking'],
  [`(?:unit\\s+)?on-?\\s*time\\s+delivery\\s+rate`, 'on_time_delivery'],
  [w('invoice defect rate'), 'invoice_defects'],
  [
    `(?:(?:suspected|received)\\s+)?intellectual\\s+property\\s+(?:rights\\s+)?(?:polic(?:y|ies)|complaints?|violations?)`,
    'intellectual_property',
  ],
  [
    `(?:trademark|copyright|patent)\\s+(?:polic(?:y|ies)|infringements?|complaints?|violations?)`,
    'intellectual_property',
  ],
  [`product\\s+authenticity(?:\\s+(?:customer\\s+complaints?|polic(?:y|ies)))?`, 'authenticity'],
  [`anti-?\\s*counterfeit(?:ing)?\\s+polic(?:y|ies)`, 'authenticity'],
  [`(?:product\\s+)?condition\\s+(?:guidelines|polic(?:y|ies)|(?:customer\\s+)?complaints?)`, 'condition'],
  [w('used sold as new'), 'condition'],
  [`food\\s+and\\s+product\\s+safety(?:\\s+issues)?`, 'safety'],
  [`product\\s+safety(?:\\s+(?:polic(?:y|ies)|(?:customer\\s+)?complaints?))?`, 'safety'],
  [`restricted\\s+products?\\s+(?:polic(?:y|ies)(?:\\s+violations?)?|violations?)`, 'restricted_products'],
  [`(?:anti-?\\s*manipulation\\s+policy\\s+for\\s+customer\\s+reviews)`, 'review_manipulation'],
  [`customer\\s+(?:product\\s+)?reviews?\\s+polic(?:y|ies)(?:\\s+violations?)?`, 'review_manipulation'],
  [w('community guidelines'), 'review_manipulation'],
  [`(?:product\\s+)?listing\\s+polic(?:y|ies)(?:\\s+violations?)?`, 'listing_policy'],
  [w('product detail page rules'), 'listing_policy'],
  [w('ASIN creation policy'), 'listing_policy'],
  [w('fair pricing policy'), 'other'],
  [`drop\\s*-?\\s*shipping\\s+policy`, 'other'],
  [`prohibited\\s+seller\\s+activities(?:\\s+and\\s+actions)?`, 'other'],
  [w('other policy violations'), 'other'],
  [w('seller code of conduct'), null],
  [`(?:amazon\\s+services\\s+)?business\\s+solutions\\s+agreement`, null],
];

/** Words that point to a cause without naming a policy ("counterfeit", "sold as new"). */
const CAUSE_CUES: ReadonlyArray<[string, CauseId]> = [
  [`order\\s+defects?`, 'order_defects'],
  [`late\\s*-?\\s*shipments?`, 'late_shipment'],
  [`pre-?\\s*fulfil{1,2}ment\\s+cancel\\w*`, 'cancellations'],
  [`valid\\s+tracking`, 'valid_tracking'],
  [`(?:trademarks?|copyrights?|patents?|patented|rights\\s+owners?)`, 'intellectual_property'],
  [`(?:counterfeit\\w*|inauthentic|not\\s+authentic)`, 'authenticity'],
  [`sold\\s+as\\s+new`, 'condition'],
  [`(?:safety\\s+(?:complaints?|issues?|concerns?)|unsafe)`, 'safety'],
  [`restricted\\s+products?`, 'restricted_products'],
  [
    `(?:review\\s+manipulation|manipulat\\w*\\s+(?:of\\s+)?(?:customer\\s+|product\\s+)?reviews?|incentivi[sz]ed\\s+reviews?|review\\s+abuse)`,
    'review_manipulation',
  ],
];

const POLICY_PATTERNS = POLICY_NAMES.map(
  ([source, cause]): [RegExp, (m: RegExpExecArray) => { name: string; cause: CauseId | null }] => [
    new RegExp(`\\b${source}\\b`, 'gi'),
    (m) => ({ name: squash(m[0]), cause }),
  ],
);
const CUE_PATTERNS = CAUSE_CUES.map(([source, cause]): [RegExp, CauseId] => [
  new RegExp(`\\b${source}\\b`, 'i'),
  cause,
]);

function readPolicies(text: string): { policies: string[]; causes: CauseId[] } {
  const named = findAll(text, POLICY_PATTERNS);
  const policies = unique(
    named.map((f) => f.value.name),
    (name) => name.toLowerCase(),
  );
  const causes = new Set<CauseId>();
  for (const f of named) if (f.value.cause) causes.add(f.value.cause);
  for (const [cue, cause] of CUE_PATTERNS) if (cue.test(text)) causes.add(cause);
  // A notice citing only the Code of Conduct still has a cause: one the catalogue has no name for.
  if (causes.size === 0 && policies.length > 0) causes.add('other');
  return { policies, causes: CAUSES.filter((c) => causes.has(c)) };
}

// ---------------------------------------------------------------------------------------------------------------
// Dates and times

const MONTHS = [
  'january',
  'february',
  'march',
  'april',
  'may',
  'june',
  'july',
  'august',
  'september',
  'october',
  'november',
  'december',
];
const MONTH = `(jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|sept?(?:ember)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)\\.?`;
const monthOf = (name: string) => MONTHS.findIndex((m) => m.startsWith(name.toLowerCase().slice(0, 3))) + 1;

/** A calendar day, or null when it does not exist (February 30). */
function isoDay(year: number, month: number, day: number): string | null {
  const at = new Date(Date.UTC(year, month - 1, day));
  if (at.getUTCFullYear() !== year || at.getUTCMonth() !== month - 1 || at.getUTCDate() !== day) return null;
  return at.toISOString().slice(0, 10);
}

/**
 * The ways Amazon (and the mail programs a notice passes through) write a day. A slashed date is read month first,
 * as Amazon.com writes it ("03/05/2026" is 5 March); only when the first number cannot be a month (25/03/2026) is it
 * read day first.
 */
const DATE_PATTERNS: ReadonlyArray<[RegExp, (m: RegExpExecArray) => string | null]> = [
  [
    new RegExp(`\\b${MONTH}\\s+(\\d{1,2})(?:st|nd|rd|th)?(?:\\s*,\\s*|\\s+)(\\d{4})\\b`, 'gi'),
    (m) => isoDay(Number(m[3]), monthOf(m[1]!), Number(m[2])),
  ],
  [
    new RegExp(`\\b(\\d{1,2})(?:st|nd|rd|th)?\\s+(?:of\\s+)?${MONTH},?\\s+(\\d{4})\\b`, 'gi'),
    (m) => isoDay(Number(m[3]), monthOf(m[2]!), Number(m[1])),
  ],
  [/\b(\d{4})-(\d{2})-(\d{2})(?=\b|T)/g, (m) => isoDay(Number(m[1]), Number(m[2]), Number(m[3]))],
  [
    /\b(\d{1,2})\/(\d{1,2})\/(\d{4})\b/g,
    (m) => {
      const [a, b, year] = [Number(m[1]), Number(m[2]), Number(m[3])];
      return a > 12 ? isoDay(year, b, a) : isoDay(year, a, b);
    },
  ],
];

const findDates = (text: string) => findAll(text, DATE_PATTERNS);

/** Offsets of the zone names mail programs print; a time with no zone is taken as UTC. */
const ZONES: Readonly<Record<string, number>> = {
  Z: 0,
  UTC: 0,
  GMT: 0,
  UT: 0,
  PST: -8,
  PDT: -7,
  MST: -7,
  MDT: -6,
  CST: -6,
  CDT: -5,
  EST: -5,
  EDT: -4,
  BST: 1,
  CET: 1,
  CEST: 2,
  IST: 5.5,
  JST: 9,
};

const ZONE = `(?:UTC|GMT)?\\s*[+-]\\d{1,2}(?::?\\d{2})?|${Object.keys(ZONES).join('|')}`;
const TIME = new RegExp(
  `(?:T|\\s*,?\\s*(?:at\\s+)?)(\\d{1,2}):(\\d{2})(?::(\\d{2})(?:\\.\\d+)?)?\\s*([ap]\\.?m\\.?)?(?:\\s*\\(?(${ZONE})\\)?(?![\\w:]))?`,
  'iy',
);

function zoneOffsetMinutes(zone: string | undefined): number {
  if (!zone) return 0;
  const z = zone.replace(/\s+/g, '').toUpperCase();
  const numeric = /^(?:UTC|GMT)?([+-])(\d{1,2})(?::?(\d{2}))?$/.exec(z);
  if (!numeric) return (ZONES[z] ?? 0) * 60;
  const minutes = Number(numeric[2]) * 60 + Number(numeric[3] ?? 0);
  return numeric[1] === '-' ? -minutes : minutes;
}

/** The time written right after a day ("at 10:14 AM PST", "T14:02:11Z"), as an instant; null when none is. */
function timeAfter(text: string, day: string, from: number): { at: Date; end: number } | null {
  const re = new RegExp(TIME.source, TIME.flags);
  re.lastIndex = from;
  const m = re.exec(text);
  if (!m) return null;
  let hour = Number(m[1]);
  const minute = Number(m[2]);
  const second = Number(m[3] ?? 0);
  const meridiem = m[4]?.toLowerCase().replace(/\./g, '');
  if (meridiem && (hour < 1 || hour > 12)) return null;
  if (meridiem === 'pm' && hour < 12) hour += 12;
  if (meridiem === 'am' && hour === 12) hour = 0;
  if (hour > 23 || minute > 59 || second > 59) return null;
  const seconds = (hour * 60 + minute) * 60 + second - zoneOffsetMinutes(m[5]) * 60;
  return { at: new Date(Date.parse(`${day}T00:00:00Z`) + seconds * 1000), end: m.index + m[0].length };
}

const startOfDay = (day: string) => new Date(`${day}T00:00:00Z`);
const endOfDay = (day: string) => new Date(`${day}T23:59:59Z`);

const WEEKDAY = /^(?:mon|tue|wed|thu|fri|sat|sun)[a-z]*\.?,?\s*$/i;

/**
 * The notice's own date: a mail header ("Date:", "Sent:", as a forwarded email shows it) or a first line that is
 * only a date (as Seller Central's Performance Notifications print it). A written time counts, else the start of the
 * day in UTC.
 */
function readReceivedAt(text: string): Date | null {
  for (const line of text.matchAll(/^[ \t>]*(?:date|sent|received|sent on|date sent)[ \t]*:[ \t]*(.*)$/gim)) {
    const value = line[1]!;
    const [date] = findDates(value);
    if (date) return timeAfter(value, date.value, date.end)?.at ?? startOfDay(date.value);
  }
  const first = text.split('\n').find((l) => l.trim() !== '');
  if (first === undefined) return null;
  const [date] = findDates(first);
  const before = first.slice(0, date?.index).trim();
  if (!date || !(before === '' || WEEKDAY.test(before))) return null;
  const time = timeAfter(first, date.value, date.end);
  const rest = first.slice(time?.end ?? date.end).trim();
  if (rest !== '' && rest !== '.' && rest !== ',') return null;
  return time?.at ?? startOfDay(date.value);
}

// ---------------------------------------------------------------------------------------------------------------
// The response deadline

/** Sentences: split at a full stop before a capital (not after an abbreviation such as "Mar."), at blank lines and
 * at list bullets. A sentence keeps its position so matches can be mapped back. */
function sentences(text: string): Array<{ index: number; text: string }> {
  const out: Array<{ index: number; text: string }> = [];
  const boundary =
    /(?<!\b(?:Mr|Ms|Mrs|Dr|Inc|Ltd|Co|No|St|Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec|e\.g|i\.e|a\.m|p\.m))[.!?]+["')\]]?(?=\s+["'([]?[A-Z0-9•*-])|\n[ \t]*\n|\n(?=[ \t]*(?:[-*•]|\d+[.)])\s)/g;
  let start = 0;
  for (const m of text.matchAll(boundary)) {
    const end = m.index + m[0].length;
    out.push({ index: start, text: text.slice(start, end) });
    start = end;
  }
  out.push({ index: start, text: text.slice(start) });
  return out.filter((s) => s.text.trim() !== '');
}

/** Words that ask the seller for an answer: the deadline of the appeal. */
const RESPONSE_WORDS =
  /\b(?:appeal\w*|plan\s+of\s+action|respon(?:d|se)\w*|reply|reactivat\w*|reinstat\w*|submit\w*|provide)\b/i;
/** Words that ask the seller to act on something else (remove inventory, correct listings). */
const ACTION_WORDS =
  /\b(?:deactivat\w*|suspen\w*|remov\w*|delet\w*|destroy\w*|dispos\w*|resolve|correct|address|take\s+action|act|if\s+you\s+do\s+not|if\s+you\s+don't|fail\s+to|unless|otherwise|no\s+later\s+than|deadline|must)\b/i;
/** Amazon's own turnaround ("we will review your appeal within 48 hours") is no deadline for the seller. */
const AMAZON_SIDE =
  /\b(?:we|our\s+team|amazon|seller\s+performance)(?:'ll|\s+will|\s+may|\s+can|\s+typically|\s+usually|\s+generally|\s+aim\s+to|\s+try\s+to|\s+should)+\s+(?:\w+\s+){0,2}?(?:review|respond|reply|get\s+back|contact|evaluate|process|investigate|decide|notify|monitor)\w*\b/i;

const SMALL = [
  'zero',
  'one',
  'two',
  'three',
  'four',
  'five',
  'six',
  'seven',
  'eight',
  'nine',
  'ten',
  'eleven',
  'twelve',
  'thirteen',
  'fourteen',
  'fifteen',
  'sixteen',
  'seventeen',
  'eighteen',
  'nineteen',
];
const TENS = ['', '', 'twenty', 'thirty', 'forty', 'fifty', 'sixty', 'seventy', 'eighty', 'ninety'];

/** "17", "seventeen", "seventy-two" → the number; null for anything else. */
function numberOf(word: string): number | null {
  const lower = word.toLowerCase();
  if (/^\d+$/.test(lower)) return Number(lower);
  const small = SMALL.indexOf(lower);
  if (small >= 0) return small;
  const [tens, unit] = lower.split(/[-\s]/);
  const t = TENS.indexOf(tens ?? '');
  if (t < 2) return null;
  if (unit === undefined) return t * 10;
  const u = SMALL.indexOf(unit);
  return u >= 1 && u <= 9 ? t * 10 + u : null;
}

const NUMBER = `(\\d{1,3}|[a-z]+(?:-[a-z]+)?)(?:\\s*\\((\\d{1,3})\\))?`;
const UNIT = `(hours?|(?:business\\s+|calendar\\s+)?days?)`;
/** "within 17 days", "within the next seven (7) days", "in the next 72 hours", "you have 48 hours to ...":
 * a span only with the words that make it one, so "in the last 60 days" or "within the 60-day period" (the
 * window a figure is counted over) never is. */
const SPAN = new RegExp(
  `\\b(?:within(?:\\s+(?:the\\s+)?next)?|(?:in|over|during)\\s+the\\s+next|in|next|(?:have|has|given|allowed|get)(?:\\s+up\\s+to)?)\\s+${NUMBER}[\\s-]+${UNIT}\\b(?![\\s-]*(?:period|window|time\\s*frame))`,
  'gi',
);
const BARE_SPAN = new RegExp(
  `\\b${NUMBER}[\\s-]+${UNIT}\\s+(?:to\\s+(?:respond|appeal|submit|reply|act|provide|resolve)|from\\s+(?:the\\s+date\\s+of\\s+)?(?:this|receiving|receipt))\\b`,
  'gi',
);
/** The words before a date that make it a deadline; a bare "until" does not ("suspended until ..."). */
const DATE_LEAD =
  /\b(?:no\s+later\s+than|not\s+later\s+than|on\s+or\s+before|by|before|prior\s+to|(?:have|has)\s+until|deadline|due)\s*:?\s*(?:(?:mon|tue|wed|thu|fri|sat|sun)[a-z]*\.?,?\s+)?$/i;

/** Whole weekdays after `from`: "10 business days" skips Saturdays and Sundays. */
function addBusinessDays(from: Date, days: number): Date {
  const at = new Date(from);
  let left = days;
  while (left > 0) {
    at.setTime(at.getTime() + DAY_MS);
    const weekday = at.getUTCDay();
    if (weekday !== 0 && weekday !== 6) left--;
  }
  return at;
}

interface Candidate {
  tier: 0 | 1;
  basis: 'span' | 'date';
  index: number;
  at: Date;
  text: string;
}

function spanCandidates(sentence: string, offset: number, tier: 0 | 1, from: Date): Candidate[] {
  const out: Candidate[] = [];
  for (const pattern of [SPAN, BARE_SPAN]) {
    for (const m of sentence.matchAll(pattern)) {
      if (AMAZON_SIDE.test(sentence.slice(0, m.index))) continue;
      const n = m[2] !== undefined ? Number(m[2]) : numberOf(m[1]!);
      if (n === null || n <= 0) continue;
      const unit = m[3]!.toLowerCase();
      const at = unit.startsWith('hour')
        ? new Date(from.getTime() + n * HOUR_MS)
        : unit.startsWith('business')
          ? addBusinessDays(from, n)
          : new Date(from.getTime() + n * DAY_MS);
      out.push({ tier, basis: 'span', index: offset + m.index, at, text: squash(m[0]) });
    }
  }
  return out;
}

function dateCandidates(
  text: string,
  sentence: { index: number; text: string },
  dates: Found<string>[],
  tier: 0 | 1,
): Candidate[] {
  const out: Candidate[] = [];
  const end = sentence.index + sentence.text.length;
  for (const date of dates) {
    if (date.index < sentence.index || date.index >= end) continue;
    const lead = DATE_LEAD.exec(text.slice(Math.max(sentence.index, date.index - 40), date.index));
    if (!lead) continue;
    const time = timeAfter(text, date.value, date.end);
    const to = Math.min(time?.end ?? date.end, end);
    out.push({
      tier,
      basis: 'date',
      index: date.index - lead[0].length,
      at: time?.at ?? endOfDay(date.value),
      text: squash(text.slice(date.index - lead[0].length, to)),
    });
  }
  return out;
}

/**
 * The appeal's deadline before any other (removing inventory by a date is not the appeal's deadline); within that,
 * a date written out before a span (Amazon's spans count from a send time the paste may not show), then the first.
 */
function readDeadline(text: string, dates: Found<string>[], from: Date): NoticeExtract['deadline'] {
  const candidates: Candidate[] = [];
  for (const sentence of sentences(text)) {
    const flat = squash(sentence.text);
    const tier = RESPONSE_WORDS.test(flat) ? 0 : ACTION_WORDS.test(flat) ? 1 : null;
    if (tier === null) continue;
    candidates.push(...dateCandidates(text, sentence, dates, tier));
    candidates.push(...spanCandidates(sentence.text, sentence.index, tier, from));
  }
  candidates.sort(
    (a, b) => a.tier - b.tier || (a.basis === b.basis ? 0 : a.basis === 'date' ? -1 : 1) || a.index - b.index,
  );
  const best = candidates[0];
  return best ? { at: best.at.toISOString(), basis: best.basis, text: best.text } : null;
}

// ---------------------------------------------------------------------------------------------------------------

/** Reads ASINs, order ids, policies and their causes, dates, the notice's date and the response deadline. */
export function parseNotice(text: string, pastedAt: Date): NoticeExtract {
  const body = normalize(text);
  const dates = findDates(body);
  const receivedAt = readReceivedAt(body) ?? pastedAt;
  const { policies, causes } = readPolicies(body);
  return {
    asins: readAsins(body),
    orderIds: readOrderIds(body),
    policies,
    causes,
    dates: unique(dates.map((d) => d.value)),
    deadline: readDeadline(body, dates, receivedAt),
    receivedAt: receivedAt.toISOString(),
  };
}
