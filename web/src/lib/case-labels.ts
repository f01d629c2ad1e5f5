import type { CaseStatus, ChecklistItem, SectionKey } from '$lib/api';

// The words for a case's states and events, shared by the cases list, the workspace, the print view and the
// overview. A status badge says its state in words as well as colour.

type Tone = 'good' | 'warning' | 'critical' | 'neutral';

export const CASE_STATUS: Record<CaseStatus, { tone: Tone; label: string; hint: string }> = {
  draft: { tone: 'warning', label: 'Draft', hint: 'Being written' },
  ready: { tone: 'neutral', label: 'Ready', hint: 'Written and checked, not yet sent' },
  submitted: { tone: 'neutral', label: 'Submitted', hint: 'Sent to Amazon; waiting for an answer' },
  more_info_requested: {
    tone: 'warning',
    label: 'More information requested',
    hint: 'Amazon asked for more: answer and submit again',
  },
  reinstated: { tone: 'good', label: 'Reinstated', hint: 'The account is selling again' },
  denied: { tone: 'critical', label: 'Denied', hint: 'Amazon refused the appeal' },
};

export const CASE_ORIGIN: Record<'suspension' | 'alert' | 'manual', string> = {
  suspension: 'Opened on suspension',
  alert: 'Started from an alert',
  manual: 'Opened by hand',
};

export const SECTION_TITLES: Record<SectionKey, string> = {
  root_cause: 'Root cause',
  corrective_actions: 'Immediate corrective actions',
  preventive_measures: 'Preventive measures',
  implementation_timeline: 'Implementation timeline',
  appeal_summary: 'Summary',
  appeal_evidence: 'New information and evidence',
  appeal_commitment: 'Commitment to compliance',
};

export const PLAN_SECTIONS: SectionKey[] = [
  'root_cause',
  'corrective_actions',
  'preventive_measures',
  'implementation_timeline',
];
export const APPEAL_SECTIONS: SectionKey[] = ['appeal_summary', 'appeal_evidence', 'appeal_commitment'];

export const CHECKLIST_GROUP: Record<ChecklistItem['group'], string> = {
  steps: 'Steps to reinstatement',
  damage: 'Damage assessment',
  moving_forward: 'Moving forward',
};

/** A placeholder the seller must replace: `[[what to write]]` (server/src/cases/model.ts). */
export const PLACEHOLDER = /\[\[([^\]\n]{1,200})\]\]/g;

export function placeholdersIn(text: string): string[] {
  return [...text.matchAll(PLACEHOLDER)].map((m) => m[1]!);
}

/** One line for a timeline event. */
export function caseEvent(type: string, details: Record<string, unknown>): string {
  const str = (k: string) => (typeof details[k] === 'string' ? (details[k] as string) : null);
  switch (type) {
    case 'opened':
      return details.origin === 'suspension'
        ? 'Case opened when the marketplace was suspended'
        : details.origin === 'alert'
          ? 'Case started from an alert'
          : 'Case opened';
    case 'alert_linked':
      return `Alert linked: ${str('title') ?? 'an alert'}`;
    case 'suspension_seen':
      return "Amazon's report shows the marketplace suspended";
    case 'section_edited': {
      const section = str('section') as SectionKey | null;
      return `Edited ${section ? SECTION_TITLES[section] : 'a section'}`;
    }
    case 'checklist_item':
      return details.done === true
        ? `Done: ${str('label') ?? 'a checklist item'}`
        : details.done === false
          ? `Not done: ${str('label') ?? 'a checklist item'}`
          : `Note on ${str('label') ?? 'a checklist item'}`;
    case 'notice_saved':
      return "Amazon's notice pasted in";
    case 'deadline_set':
      return details.after ? 'Response deadline set' : 'Response deadline cleared';
    case 'status_changed': {
      const to = str('to') as CaseStatus | null;
      return `Status: ${to ? CASE_STATUS[to].label : 'changed'}`;
    }
    case 'note':
      return 'Note';
    case 'evidence_added':
      return `Evidence added: ${str('fileName') ?? 'a file'}`;
    case 'evidence_deleted':
      return `Evidence deleted: ${str('fileName') ?? 'a file'}`;
    case 'reinstatement_confirmed':
      return "Reinstatement confirmed by Amazon's data: the marketplace is back to NORMAL";
    default:
      return type.replace(/_/g, ' ');
  }
}

/**
 * The time left to a deadline in words ("2 days 5 hours left", "5 hours left", "overdue by 3 hours"), and how
 * urgent it is: critical under 24 hours or past, warning under 72.
 */
export function countdown(
  deadlineIso: string,
  nowMs: number,
): { text: string; tone: Tone; overdue: boolean } {
  const ms = Date.parse(deadlineIso) - nowMs;
  const abs = Math.abs(ms);
  const hours = Math.floor(abs / 3_600_000);
  const days = Math.floor(hours / 24);
  const minutes = Math.floor(abs / 60_000) % 60;
  const span =
    days >= 1
      ? `${days} ${days === 1 ? 'day' : 'days'}${hours % 24 ? ` ${hours % 24} h` : ''}`
      : hours >= 1
        ? `${hours} h${minutes ? ` ${minutes} min` : ''}`
        : `${minutes} min`;
  if (ms < 0) return { text: `Overdue by ${span}`, tone: 'critical', overdue: true };
  return {
    text: `${span} left`,
    tone: ms < 86_400_000 ? 'critical' : ms < 3 * 86_400_000 ? 'warning' : 'neutral',
    overdue: false,
  };
}
