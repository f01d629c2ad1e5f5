import type { Overview, SellerAccount } from '$lib/api';

// The words beside each state's colour: a badge never says something with colour alone.

type Tone = 'good' | 'warning' | 'critical' | 'neutral';

export const STANDING: Record<Overview['accounts'][number]['standing'], { tone: Tone; label: string }> = {
  suspended: { tone: 'critical', label: 'Suspended' },
  at_risk: { tone: 'warning', label: 'At risk' },
  fine: { tone: 'good', label: 'Fine' },
  unknown: { tone: 'neutral', label: 'No data yet' },
};

export const CONNECTION: Record<SellerAccount['connectionState'], { tone: Tone; label: string }> = {
  connected: { tone: 'good', label: 'Connected' },
  needs_reauthorization: { tone: 'critical', label: 'Needs reauthorization' },
  degraded: { tone: 'warning', label: 'Polls failing' },
  disconnected: { tone: 'neutral', label: 'Disconnected' },
};

export const REGIONS: Record<SellerAccount['region'], string> = {
  na: 'North America',
  eu: 'Europe',
  fe: 'Far East',
};

/**
 * The Far East's marketplaces each have a Seller Central of their own, so consent there needs the marketplace
 * named, not only the region (docs/oauth.md §6).
 */
export const FAR_EAST_MARKETPLACES = [
  { id: 'A1VC38T7YXB528', name: 'Japan' },
  { id: 'A39IBJ37TRP1C6', name: 'Australia' },
  { id: 'A19VAU5U5O7RUS', name: 'Singapore' },
] as const;
