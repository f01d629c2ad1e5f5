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
