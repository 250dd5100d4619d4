// What each breakdown card asks the server for. Data, kept apart from the components that render
// it: every tab is one dimension from one cube, so no tab can ask for a combination that
// storage does not hold.
import type { Dimension, Metric } from './api.ts';

export interface BreakdownTab {
  id: string;
  label: string;
  dimension: Dimension;
  /** Shown as columns in this order; rows are sorted by the first one. */
  metrics: Metric[];
  /** Leave out visits without a value (a campaign report is about tagged traffic, like Plausible's). */
  hideEmpty?: boolean;
}

const ACQUISITION_METRICS: Metric[] = ['visitors', 'visits', 'bounce_rate'];
// Campaign effectiveness: how many came, and whether they stayed (bounce rate, depth, time).
const CAMPAIGN_METRICS: Metric[] = ['visitors', 'visits', 'bounce_rate', 'views_per_visit', 'visit_duration'];

export const CHANNEL_TABS: BreakdownTab[] = [
  { id: 'channels', label: 'Channels', dimension: 'visit:channel', metrics: ACQUISITION_METRICS },
];

export const SOURCE_TABS: BreakdownTab[] = [
  { id: 'sources', label: 'Sources', dimension: 'visit:source', metrics: ACQUISITION_METRICS },
  { id: 'referrers', label: 'Referrers', dimension: 'visit:referrer', metrics: ACQUISITION_METRICS },
];

export const CAMPAIGN_TABS: BreakdownTab[] = [
  { id: 'utm-campaign', label: 'Campaign', dimension: 'visit:utm_campaign', metrics: CAMPAIGN_METRICS, hideEmpty: true },
  { id: 'utm-source', label: 'UTM source', dimension: 'visit:utm_source', metrics: CAMPAIGN_METRICS, hideEmpty: true },
  { id: 'utm-medium', label: 'UTM medium', dimension: 'visit:utm_medium', metrics: CAMPAIGN_METRICS, hideEmpty: true },
  { id: 'utm-content', label: 'Content', dimension: 'visit:utm_content', metrics: CAMPAIGN_METRICS, hideEmpty: true },
  { id: 'utm-term', label: 'Term', dimension: 'visit:utm_term', metrics: CAMPAIGN_METRICS, hideEmpty: true },
];

export const PAGE_TABS: BreakdownTab[] = [
  { id: 'top-pages', label: 'Top pages', dimension: 'event:page', metrics: ['visitors', 'pageviews'] },
  { id: 'entry-pages', label: 'Entry pages', dimension: 'visit:entry_page', metrics: ['visitors', 'visits', 'bounce_rate'] },
];

export const DEVICE_TABS: BreakdownTab[] = [
  { id: 'devices', label: 'Devices', dimension: 'visit:device', metrics: ['visitors'] },
  { id: 'browsers', label: 'Browsers', dimension: 'visit:browser', metrics: ['visitors'] },
  { id: 'os', label: 'OS', dimension: 'visit:os', metrics: ['visitors'] },
];
