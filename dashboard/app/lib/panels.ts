// What each breakdown card asks the server for. Data, kept apart from the components that render
// it: every tab is one dimension from one cube, so no tab can ask for a combination that
// storage does not hold.
import type { DateRange, Dimension, Filter, Metric, Query } from './api.ts';
import { acceptsGoalFilter, applicableFilters, goalFilterOf } from './cubes.ts';

export interface BreakdownTab {
  id: string;
  label: string;
  dimension: Dimension;
  /** Shown as columns in this order; rows are sorted by the first one. */
  metrics: Metric[];
  /** Leave out visits without a value (a campaign report is about tagged traffic, like Plausible's). */
  hideEmpty?: boolean;
  /** Column headers in place of the usual ones (a goal's visitors are its converting visitors). */
  labels?: Partial<Record<Metric, string>>;
  /** Full names for the headers' tooltips. */
  titles?: Partial<Record<Metric, string>>;
  /** What an empty table says, in place of the usual sentence. */
  emptyText?: string;
  /** Sort order sent to the server; default: the first metric, largest first. */
  orderBy?: [Metric, 'asc' | 'desc'][];
  /** The metric columns that stay on a phone (few and short); default: the first metric only. */
  keepOnPhone?: Metric[];
  /** Show the server's meta.warnings (goals not counted yet) above the table. */
  showWarnings?: boolean;
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
  // Engagement is a page metric: the pages cube holds it (scroll depth is null where no visit scrolled).
  {
    id: 'top-pages',
    label: 'Top pages',
    dimension: 'event:page',
    metrics: ['visitors', 'pageviews', 'time_on_page', 'scroll_depth'],
    // "Views": five columns share a half-width card (the tooltip says "Pageviews").
    labels: { pageviews: 'Views', time_on_page: 'Time on page', scroll_depth: 'Scroll depth' },
    titles: { time_on_page: 'Time on page: engaged time per visitor of the page', scroll_depth: 'Scroll depth: how far down visits scrolled, on average' },
  },
  { id: 'entry-pages', label: 'Entry pages', dimension: 'visit:entry_page', metrics: ['visitors', 'visits', 'bounce_rate'] },
  // A visit's last page. Exits are booked as the visit moves on, which visitor counts cannot follow:
  // the server offers visits (the exits) and the exit rate here, nothing else.
  {
    id: 'exit-pages',
    label: 'Exit pages',
    dimension: 'visit:exit_page',
    metrics: ['visits', 'exit_rate'],
    labels: { visits: 'Exits' },
    titles: { visits: 'Exits: visits that ended on this page', exit_rate: 'Exit rate: exits / pageviews of the page' },
    keepOnPhone: ['visits', 'exit_rate'],
  },
];

export const DEVICE_TABS: BreakdownTab[] = [
  { id: 'devices', label: 'Devices', dimension: 'visit:device', metrics: ['visitors'] },
  { id: 'browsers', label: 'Browsers', dimension: 'visit:browser', metrics: ['visitors'] },
  { id: 'os', label: 'OS', dimension: 'visit:os', metrics: ['visitors'] },
];

/** Where visitors are: the countries panel's table (its map reads the same dimension). */
export const COUNTRY_TABS: BreakdownTab[] = [
  { id: 'countries', label: 'Countries', dimension: 'visit:country', metrics: ['visitors', 'percentage'] },
];

/** Revenue columns of a goal table, in the goal's currency (the server's exact text). */
const REVENUE_TITLES: Partial<Record<Metric, string>> = {
  total_revenue: 'Revenue: the sum of the conversions\' amounts in the goal\'s currency',
  average_revenue: 'Average revenue per conversion that carried an amount',
};

/**
 * Plausible's "Goal conversions": per goal, converting visitors, conversions, and the share of all
 * visitors; with `revenue` (a goal of the site has a currency) also its revenue and the average
 * per conversion.
 */
export function goalTabs(revenue: boolean): BreakdownTab[] {
  return [
    {
      id: 'goals',
      label: 'Goals',
      dimension: 'event:goal',
      metrics: ['visitors', 'events', 'conversion_rate', ...(revenue ? (['total_revenue', 'average_revenue'] as const) : [])],
      labels: { visitors: 'Uniques', events: 'Total', conversion_rate: 'CR', total_revenue: 'Revenue', average_revenue: 'Average' },
      titles: {
        visitors: 'Converting visitors',
        events: 'Conversions (every time the goal was reached)',
        conversion_rate: 'Conversion rate: converting visitors / all visitors of the period',
        ...REVENUE_TITLES,
      },
      orderBy: [
        ['visitors', 'desc'],
        ['events', 'desc'],
      ],
      // Five columns do not fit a phone: the money rather than the count of conversions.
      keepOnPhone: revenue ? ['visitors', 'conversion_rate', 'total_revenue'] : ['visitors', 'events', 'conversion_rate'],
      showWarnings: true,
    },
  ];
}

/**
 * An acquisition tab with a goal picked: per row, the converting visitors, the conversions and
 * the conversion rate of the row's own visitors (that source's, that campaign's), in the goal
 * panel's order and words; with `revenue` (the goal has a currency) the row's revenue too.
 */
export function goalTab(tab: BreakdownTab, revenue = false): BreakdownTab {
  return {
    ...tab,
    metrics: ['visitors', 'events', 'group_conversion_rate', ...(revenue ? (['total_revenue'] as const) : [])],
    labels: { visitors: 'Uniques', events: 'Total', group_conversion_rate: 'CR', total_revenue: 'Revenue' },
    titles: {
      visitors: 'Converting visitors',
      events: 'Conversions (every time the goal was reached)',
      group_conversion_rate: `Conversion rate: converting visitors / all visitors of this ${tab.label.toLowerCase().replace(/s$/, '')}`,
      ...REVENUE_TITLES,
    },
    orderBy: [
      ['visitors', 'desc'],
      ['events', 'desc'],
    ],
    keepOnPhone: revenue ? ['visitors', 'group_conversion_rate', 'total_revenue'] : ['visitors', 'events', 'group_conversion_rate'],
    emptyText: `No conversions ${tab.hideEmpty ? `from visits tagged with a ${tab.label.toLowerCase()} ` : ''}in this period.`,
  };
}

/** The headline cards: traffic, or with a goal picked its conversions (Plausible's goal cards). */
export const CARD_METRICS = {
  traffic: ['visitors', 'visits', 'pageviews', 'bounce_rate', 'visit_duration', 'views_per_visit'],
  goal: ['visitors', 'events', 'conversion_rate'],
} as const satisfies Record<string, readonly Metric[]>;

/** What the Overview shows: one site, one date range, the filters chosen. */
export interface OverviewView {
  siteId: string;
  dateRange: DateRange;
  filters: Filter[];
}

/**
 * The query behind a tab of the Overview: the one place it is written, so the table on screen
 * and its CSV export (dashboard/server/export) ask the server the same thing.
 * - null: with a goal picked, a tab whose cube cannot count goals (pages, devices) shows a note
 *   instead of numbers.
 * - Tabs outside the acquisition cube cannot be split by where a visit came from: pages go
 *   without the view's filters, devices keep only the country ones (`unfiltered`: some filter
 *   was left out), and the table says so.
 */
export function tabQuery(tab: BreakdownTab, view: OverviewView, limit: number): { query: Query; unfiltered: boolean; applied: Filter[] } | null {
  if (goalFilterOf(view.filters) !== null && !acceptsGoalFilter([tab.dimension])) return null;
  // Devices keep the visit's country, so a country filter still applies to them.
  const applied = applicableFilters(tab.dimension, view.filters);
  const unfiltered = applied.length < view.filters.length;
  const own: Filter[] = tab.hideEmpty ? [['is_not', tab.dimension, ['']]] : [];
  return {
    unfiltered,
    applied,
    query: {
      site_id: view.siteId,
      metrics: tab.metrics,
      date_range: view.dateRange,
      dimensions: [tab.dimension],
      filters: [...applied, ...own],
      order_by: tab.orderBy ?? [[tab.metrics[0]!, 'desc']],
      pagination: { limit },
    },
  };
}

/**
 * The Overview's tables in screen order, by card: with a goal picked, the acquisition cards show
 * that goal's conversions (and revenue, when that goal has a currency); the goals card shows
 * revenue columns when any goal of the site has a currency. The dashboard lays the cards out;
 * "Export CSV" writes one file per tab of each.
 */
export function overviewTables(goal: string | null, revenue: { goal: boolean; anyGoal: boolean }) {
  const acquisition = (tabs: BreakdownTab[]) => (goal ? tabs.map((tab) => goalTab(tab, revenue.goal)) : tabs);
  return {
    channels: acquisition(CHANNEL_TABS),
    sources: acquisition(SOURCE_TABS),
    campaigns: acquisition(CAMPAIGN_TABS),
    countries: acquisition(COUNTRY_TABS),
    pages: PAGE_TABS,
    devices: DEVICE_TABS,
    goals: goalTabs(revenue.anyGoal),
  } satisfies Record<string, BreakdownTab[]>;
}
