// The countries panel's world map: a chartjs-chart-geo choropleth over world-atlas's 110m country
// shapes. This module and the shapes are loaded only when the panel is shown (a dynamic import
// in CountriesPanel.svelte), so they stay out of the main bundle.
import { Chart, Tooltip } from 'chart.js';
import { ChoroplethController, ColorScale, GeoFeature, ProjectionScale, topojson } from 'chartjs-chart-geo';
import { ALPHA2_OF_NAME, ALPHA2_OF_NUMERIC } from './isoNumeric.ts';

Chart.register(ChoroplethController, GeoFeature, ColorScale, ProjectionScale, Tooltip);

export interface MapCountry {
  /** ISO 3166-1 alpha-2 code, as the Stats API's visit:country answers it. */
  code: string;
  visitors: number;
}

export interface WorldMap {
  /** Colours each country by its visitors; countries not listed (none, or folded into "(other)") stay grey. */
  update(countries: readonly MapCountry[]): void;
  destroy(): void;
}

interface CountryFeature {
  id?: string;
  properties: { name: string };
}

/** Antarctica takes a sixth of the map and never has visitors worth a colour. */
const ANTARCTICA = '010';

export function createWorldMap(
  canvas: HTMLCanvasElement,
  // world-atlas/countries-110m.json, loaded beside this module.
  topology: unknown,
  opts: { what: () => string; name: (code: string) => string; format: (n: number) => string; onselect: (code: string) => void },
): WorldMap {
  const topo = topology as Parameters<typeof topojson.feature>[0] & { objects: { countries: Parameters<typeof topojson.feature>[1] } };
  const collection = topojson.feature(topo, topo.objects.countries) as unknown as { features: CountryFeature[] };
  const features = collection.features.filter((f) => f.id !== ANTARCTICA);
  const codes = features.map((f) => (f.id !== undefined ? ALPHA2_OF_NUMERIC[f.id] : undefined) ?? ALPHA2_OF_NAME[f.properties.name] ?? '');
  let values: number[] = features.map(() => Number.NaN);
  const accent = getComputedStyle(canvas).getPropertyValue('--accent').trim() || '#4f46e5';

  const chart = new Chart(canvas, {
    type: 'choropleth',
    data: {
      labels: features.map((f) => f.properties.name),
      datasets: [{ label: opts.what(), data: features.map((feature) => ({ feature, value: Number.NaN })), borderColor: '#ffffff', borderWidth: 0.5 }],
    },
    options: {
      responsive: true,
      maintainAspectRatio: false,
      animation: false,
      showOutline: false,
      showGraticule: false,
      plugins: {
        legend: { display: false },
        tooltip: {
          displayColors: false,
          filter: (item) => Number.isFinite(values[item.dataIndex]),
          callbacks: {
            title: (items) => opts.name(codes[items[0]?.dataIndex ?? 0] ?? ''),
            label: (item) => `${opts.what()}: ${opts.format(values[item.dataIndex] ?? 0)}`,
          },
        },
      },
      scales: {
        projection: { axis: 'x', projection: 'equalEarth' },
        color: {
          axis: 'x',
          // From a pale tint to the accent colour; countries without visitors stay grey.
          interpolate: (v: number) => mix(accent, 0.15 + 0.85 * v),
          missing: '#e5e7eb',
          // No colour legend: the table beside the map has the numbers.
          display: false,
        },
      },
      onClick: (_event, elements) => {
        const i = elements[0]?.index;
        if (i !== undefined && Number.isFinite(values[i]) && codes[i]) opts.onselect(codes[i]!);
      },
      onHover: (event, elements) => {
        const target = event.native?.target as HTMLElement | undefined;
        const i = elements[0]?.index;
        if (target) target.style.cursor = i !== undefined && Number.isFinite(values[i]) ? 'pointer' : 'default';
      },
    },
  });

  return {
    update(countries) {
      const visitors = new Map(countries.map((c) => [c.code, c.visitors]));
      values = codes.map((code) => visitors.get(code) ?? Number.NaN);
      chart.data.datasets[0]!.data = features.map((feature, i) => ({ feature, value: values[i]! }));
      chart.update();
    },
    destroy: () => chart.destroy(),
  };
}

/** `hex` (#rrggbb) at `alpha` over white, as an rgb() colour (canvas fills need no transparency). */
function mix(hex: string, alpha: number): string {
  const m = /^#?([0-9a-f]{2})([0-9a-f]{2})([0-9a-f]{2})$/i.exec(hex);
  const [r, g, b] = m ? [m[1]!, m[2]!, m[3]!].map((x) => parseInt(x, 16)) : [79, 70, 229];
  const over = (c: number) => Math.round(255 - (255 - c) * alpha);
  return `rgb(${over(r!)}, ${over(g!)}, ${over(b!)})`;
}
