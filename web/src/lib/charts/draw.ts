import {
  Chart,
  Filler,
  LinearScale,
  LineController,
  LineElement,
  PointElement,
  TimeScale,
  Tooltip,
  type ChartConfiguration,
  type Plugin,
  type PointStyle,
} from 'chart.js';
import 'chartjs-adapter-date-fns';
import { count, percent } from '$lib/format';
import { SCORE_BANDS, SCORE_MAX, type ScoreBand, type ScorePoint } from './score';
import { higherIsBetter, warningBand, type MetricPoint, type Target, type Tone } from './series';

// The one module that touches chart.js, loaded on demand by ChartFrame.svelte so that no other page carries it.
// Only what a metric chart uses is registered: the line controller and its elements, linear and time scales, the
// tooltip, and the filler that shades the warning band. An alert's opening is a point of its own dataset (so the
// tooltip can name it) and a dotted vertical line drawn by a plugin of a few lines, not chartjs-plugin-annotation;
// the rating's bands are rectangles drawn by another.

Chart.register(LineController, LineElement, PointElement, LinearScale, TimeScale, Tooltip, Filler);

/** When an alert about the chart's metric opened, marked on the chart. */
export interface AlertMark {
  /** Its opening, in ms. */
  at: number;
  severity: 'critical' | 'warning' | 'info';
  /** The tooltip: "Alert opened 3 Dec 2026, 09:14", and its title. */
  title: string;
  lines: string[];
}

export interface MetricChartInput {
  points: readonly MetricPoint[];
  /** Open alerts' openings; those outside the range are left out. */
  marks: readonly AlertMark[];
  /** The range shown, in ms: the chart spans it even where there are no figures. */
  from: number;
  to: number;
  /** The series' target, for the stretch before its first point. */
  target: Target | null;
  /** The user's zone for the axis' dates; the browser's when undefined. */
  timeZone: string | undefined;
  unit: 'day' | 'week' | 'month';
  /** A point's tooltip: a title and its lines. */
  describe: (point: MetricPoint) => { title: string; lines: string[] };
  /** Called after every drawing of the chart. */
  ondrawn: () => void;
}

/** The datasets, in the order of the figure's data-datasets attribute. */
export const DATASETS = ['rate', 'target', 'band', 'alert'] as const;
const ALERT_DATASET = DATASETS.indexOf('alert');

const POINT_STYLE: Record<Tone, PointStyle> = {
  good: 'circle',
  unknown: 'circle',
  near: 'triangle',
  breached: 'rectRot',
};

interface Palette {
  line: string;
  target: string;
  band: string;
  near: string;
  breached: string;
  grid: string;
  text: string;
  surface: string;
  font: string;
}

/** The page's own colours (app.css), so the chart follows light and dark mode. */
function palette(element: HTMLElement): Palette {
  const style = getComputedStyle(element);
  const css = (name: string, fallback: string) => style.getPropertyValue(name).trim() || fallback;
  return {
    line: css('--color-accent', '#0f5fc2'),
    target: css('--color-critical', '#b42318'),
    band: withAlpha(css('--color-warning-mark', '#e0a100'), 0.28),
    near: css('--color-warning', '#8a5300'),
    breached: css('--color-critical', '#b42318'),
    grid: css('--color-border', '#d8dee6'),
    text: css('--color-text-muted', '#556070'),
    surface: css('--color-surface', '#ffffff'),
    font: style.fontFamily || 'system-ui, sans-serif',
  };
}

function withAlpha(color: string, alpha: number): string {
  const hex = /^#([0-9a-f]{6})$/i.exec(color)?.[1];
  if (!hex) return color;
  const [r, g, b] = [0, 2, 4].map((i) => parseInt(hex.slice(i, i + 2), 16));
  return `rgba(${r}, ${g}, ${b}, ${alpha})`;
}

/** A step line over the whole range: the target (or the band's edge) as it was at each moment. */
function stepLine(
  points: readonly MetricPoint[],
  fallback: Target | null,
  from: number,
  to: number,
  pick: (target: Target) => number | null,
): Array<{ x: number; y: number | null }> {
  let current = points.find((p) => p.target)?.target ?? fallback;
  if (!current) return [];
  const line = [{ x: from, y: pick(current) }];
  for (const point of points) {
    if (!point.target) continue;
    if (point.target.value !== current.value || point.target.condition !== current.condition) {
      current = point.target;
      line.push({ x: Date.parse(point.capturedAt), y: pick(current) });
    }
  }
  line.push({ x: to, y: pick(current) });
  return line;
}

/** Where a mark sits on the rate's line: the last rate at or before it, else the first one, else the target. */
function rateAt(points: readonly MetricPoint[], at: number, fallback: number): number {
  let rate: number | null = null;
  for (const p of points) {
    if (p.rate === null) continue;
    if (Date.parse(p.capturedAt) > at) {
      rate ??= p.rate;
      break;
    }
    rate = p.rate;
  }
  return rate ?? fallback;
}

/**
 * The dotted line of each mark, under the datasets, from the top of the plot to its bottom. The ISO instants of
 * the lines drawn go on the canvas (`data-alert-lines`), so a test can tell what the plugin drew.
 */
function alertLines(marks: readonly AlertMark[], colorOf: (m: AlertMark) => string): Plugin<'line'> {
  return {
    id: 'alertLines',
    beforeDatasetsDraw(chart) {
      const { ctx, chartArea: area, scales } = chart;
      const drawn: string[] = [];
      ctx.save();
      ctx.lineWidth = 1.5;
      // Dotted, where the target's line is dashed.
      ctx.setLineDash([2, 3]);
      for (const m of marks) {
        const x = scales.x!.getPixelForValue(m.at);
        if (x < area.left || x > area.right) continue;
        ctx.strokeStyle = colorOf(m);
        ctx.beginPath();
        ctx.moveTo(x, area.top);
        ctx.lineTo(x, area.bottom);
        ctx.stroke();
        drawn.push(new Date(m.at).toISOString());
      }
      ctx.restore();
      chart.canvas.dataset.alertLines = drawn.join(',');
    },
  };
}

function axisFormat(unit: MetricChartInput['unit'], timeZone: string | undefined): Intl.DateTimeFormat {
  return new Intl.DateTimeFormat(
    'en-GB',
    unit === 'month'
      ? { month: 'short', year: 'numeric', timeZone }
      : { day: 'numeric', month: 'short', timeZone },
  );
}

/** What every chart here shares: drawn at once, sized by its box, data already in x/y form, one font. */
function chartBase(colors: Palette) {
  return {
    animation: false,
    responsive: true,
    maintainAspectRatio: false,
    parsing: false,
    normalized: true,
    layout: { padding: { right: 8, top: 4 } },
    font: { family: colors.font },
    color: colors.text,
    interaction: { mode: 'nearest', axis: 'x', intersect: false },
  } as const;
}

/** The time axis of a chart from `from` to `to`, a few dates along it in the viewer's format. */
function timeAxis(
  from: number,
  to: number,
  unit: MetricChartInput['unit'],
  colors: Palette,
  dateOf: Intl.DateTimeFormat,
) {
  return {
    type: 'time',
    min: from,
    max: to,
    time: { unit },
    grid: { color: colors.grid },
    border: { display: false },
    ticks: {
      color: colors.text,
      maxRotation: 0,
      autoSkip: true,
      autoSkipPadding: 16,
      maxTicksLimit: 7,
      callback: (value: number | string) => dateOf.format(new Date(Number(value))),
    },
  } as const;
}

export function drawMetricChart(canvas: HTMLCanvasElement, input: MetricChartInput): { destroy(): void } {
  const { points, from, target, timeZone, unit, describe, ondrawn } = input;
  const to = Math.max(input.to, ...points.map((p) => Date.parse(p.capturedAt)));
  const marks = input.marks.filter((m) => m.at >= from && m.at <= to);
  const colors = palette(canvas);
  const newest = points.findLast((p) => p.target)?.target ?? target;
  const band = warningBand(newest);
  const rates = points.flatMap((p) => (p.rate === null ? [] : [p.rate]));
  const dense = points.length > 60;

  // Lower-is-better rates start at 0 and leave room above the target; higher-is-better ones end at 100 % and
  // show about as much below the target as there is between it and 100 %.
  const y: { min?: number; max?: number; suggestedMin?: number; suggestedMax?: number } = {};
  if (newest && higherIsBetter(newest)) {
    y.max = 1;
    y.suggestedMin = Math.min(newest.value - (1 - newest.value) * 0.6, ...rates);
  } else {
    y.min = 0;
    y.suggestedMax = Math.max((newest?.value ?? 0) * 1.3, ...rates.map((r) => r * 1.1), 0.001);
  }

  const drawn: Plugin<'line'> = { id: 'drawn', afterRender: () => ondrawn() };
  const markColor = (m: AlertMark) =>
    m.severity === 'critical' ? colors.breached : m.severity === 'warning' ? colors.near : colors.text;
  const dateOf = axisFormat(unit, timeZone);

  const config: ChartConfiguration<'line', Array<{ x: number; y: number | null }>> = {
    type: 'line',
    data: {
      datasets: [
        {
          label: 'Rate',
          data: points.map((p) => ({ x: Date.parse(p.capturedAt), y: p.rate })),
          borderColor: colors.line,
          backgroundColor: colors.line,
          borderWidth: 2,
          pointStyle: points.map((p) => POINT_STYLE[p.tone]),
          pointRadius: points.map((p) => (p.tone === 'near' || p.tone === 'breached' ? 4 : dense ? 1.5 : 3)),
          pointHoverRadius: 6,
          pointBackgroundColor: points.map((p) =>
            p.tone === 'breached' ? colors.breached : p.tone === 'near' ? colors.near : colors.line,
          ),
          pointBorderColor: colors.surface,
          pointBorderWidth: 1,
          spanGaps: false,
          tension: 0,
          // The newest point sits on the chart's right edge: draw it whole.
          clip: 6,
          order: 0,
        },
        {
          label: 'Target',
          data: stepLine(points, target, from, to, (t) => t.value),
          borderColor: colors.target,
          borderWidth: 2,
          borderDash: [6, 4],
          pointRadius: 0,
          pointHitRadius: 0,
          stepped: 'after',
          fill: false,
          order: 1,
        },
        {
          label: 'Warning band',
          data: band ? stepLine(points, target, from, to, (t) => warningBand(t)?.from ?? null) : [],
          borderWidth: 0,
          borderColor: 'transparent',
          backgroundColor: colors.band,
          pointRadius: 0,
          pointHitRadius: 0,
          stepped: 'after',
          // Shaded from the band's edge up (or down) to the target line, the dataset before it.
          fill: '-1',
          order: 2,
        },
        {
          label: 'Alert opened',
          data: marks.map((m) => ({ x: m.at, y: rateAt(points, m.at, newest?.value ?? 0) })),
          showLine: false,
          // A triangle pointing down at the line: where the line is when the alert opened.
          pointStyle: 'triangle',
          pointRotation: 180,
          pointRadius: 6,
          pointHoverRadius: 8,
          pointBackgroundColor: marks.map(markColor),
          pointBorderColor: colors.surface,
          pointBorderWidth: 1,
          clip: 8,
          order: -1,
        },
      ],
    },
    options: {
      ...chartBase(colors),
      scales: {
        x: timeAxis(from, to, unit, colors, dateOf),
        y: {
          type: 'linear',
          ...y,
          grid: { color: colors.grid },
          border: { color: colors.grid },
          ticks: { color: colors.text, maxTicksLimit: 6, callback: (value) => percent(Number(value)) },
        },
      },
      plugins: {
        tooltip: {
          filter: (item) => item.datasetIndex === 0 || item.datasetIndex === ALERT_DATASET,
          displayColors: false,
          callbacks: {
            title: (items) => {
              const item = items[0];
              if (item?.datasetIndex === ALERT_DATASET) return marks[item.dataIndex]?.title ?? '';
              const point = item ? points[item.dataIndex] : undefined;
              return point ? describe(point).title : '';
            },
            label: (item) => {
              if (item.datasetIndex === ALERT_DATASET) return marks[item.dataIndex]?.lines ?? '';
              const point = points[item.dataIndex];
              return point ? describe(point).lines : '';
            },
          },
        },
      },
    },
    plugins: [alertLines(marks, markColor), drawn],
  };

  const chart = new Chart(canvas, config);
  return { destroy: () => chart.destroy() };
}

// ---- the Account Health Rating's score ----

export interface ScoreChartInput {
  points: readonly ScorePoint[];
  /** The range shown, in ms. */
  from: number;
  to: number;
  timeZone: string | undefined;
  unit: 'day' | 'week' | 'month';
  describe: (point: ScorePoint) => { title: string; lines: string[] };
  /** Each band's name on the chart: "Healthy", "At risk", "Critical". */
  bandLabels: Record<ScoreBand, string>;
  ondrawn: () => void;
}

const BAND_STYLE: Record<ScoreBand, PointStyle> = {
  healthy: 'circle',
  at_risk: 'triangle',
  critical: 'rectRot',
};

/** Ticks on the bands' edges, then every 200 points. */
const SCORE_TICKS = [0, 100, 200, 400, 600, 800, 1000];

/** Days without a score longer than this break the line rather than draw a slope nobody measured. */
const SCORE_GAP_MS = 3 * 86_400_000;

/** Where each band's name may go, in points, the first that the line leaves free winning. */
const LABEL_SPOTS: Record<ScoreBand, number[]> = {
  critical: [50],
  at_risk: [150],
  // Most of the chart: just above its edge, where the other names are, else near its top.
  healthy: [250, 950],
};

/**
 * Amazon's bands as zones behind the grid and the line, each with its name at its edge of the plot, and its edge
 * as a line in its colour. A name goes where the line does not pass (left, then right; for healthy, low, then
 * high), so it never hides a score nor is crossed by one. The bands drawn go on the canvas (`data-bands`), so a
 * test can tell.
 */
function scoreBands(labels: Record<ScoreBand, string>, colors: Palette & BandColors): Plugin<'line'> {
  return {
    id: 'scoreBands',
    beforeDraw(chart) {
      const { ctx, chartArea: area, scales } = chart;
      const y = scales.y!;
      const line = chart.getDatasetMeta(0).data.map((p) => ({ x: p.x, y: p.y }));
      /** Whether the line passes through a box, looked at every 2 px across it. */
      const crosses = (left: number, right: number, top: number, bottom: number) => {
        for (let x = left; x <= right; x += 2) {
          const after = line.findIndex((p) => p.x >= x);
          if (after === -1) break;
          const b = line[after]!;
          const a = line[after - 1] ?? b;
          const at = b.x === a.x ? b.y : a.y + ((b.y - a.y) * (x - a.x)) / (b.x - a.x);
          if (at >= top && at <= bottom && (after > 0 || x >= b.x - 4)) return true;
        }
        return false;
      };
      ctx.save();
      ctx.font = `600 11px ${colors.font}`;
      ctx.textBaseline = 'middle';
      const drawn: string[] = [];
      for (const { band, from, to } of SCORE_BANDS) {
        const top = y.getPixelForValue(to);
        const bottom = y.getPixelForValue(from);
        ctx.fillStyle = colors.zone[band];
        ctx.fillRect(area.left, top, area.right - area.left, bottom - top);
        if (to < SCORE_MAX) {
          ctx.strokeStyle = colors.edge[band];
          ctx.lineWidth = 1;
          ctx.beginPath();
          ctx.moveTo(area.left, Math.round(top) + 0.5);
          ctx.lineTo(area.right, Math.round(top) + 0.5);
          ctx.stroke();
        }
        const width = ctx.measureText(labels[band]).width;
        const spots = LABEL_SPOTS[band].flatMap((points) => {
          const middle = y.getPixelForValue(points);
          return [area.left + 6, area.right - 6 - width].map((left) => ({ left, middle }));
        });
        const spot =
          spots.find((s) => !crosses(s.left - 3, s.left + width + 3, s.middle - 8, s.middle + 8)) ??
          spots[0]!;
        ctx.fillStyle = colors.edgeText[band];
        ctx.fillText(labels[band], spot.left, spot.middle);
        drawn.push(`${band}:${from}-${to}`);
      }
      ctx.restore();
      chart.canvas.dataset.bands = drawn.join(',');
    },
  };
}

interface BandColors {
  zone: Record<ScoreBand, string>;
  edge: Record<ScoreBand, string>;
  edgeText: Record<ScoreBand, string>;
}

function bandColors(element: HTMLElement): BandColors {
  const style = getComputedStyle(element);
  const css = (name: string, fallback: string) => style.getPropertyValue(name).trim() || fallback;
  const good = css('--color-good', '#17703a');
  const warning = css('--color-warning', '#8a5300');
  const critical = css('--color-critical', '#b42318');
  return {
    // The soft badge colours, so the zones read as the badges of the same bands (and follow dark mode).
    zone: {
      healthy: css('--color-good-soft', '#e4f4e9'),
      at_risk: css('--color-warning-soft', '#fdf1d8'),
      critical: css('--color-critical-soft', '#fdeceb'),
    },
    edge: {
      healthy: withAlpha(good, 0.6),
      at_risk: withAlpha(css('--color-warning-mark', '#e0a100'), 0.8),
      critical: withAlpha(critical, 0.6),
    },
    edgeText: { healthy: good, at_risk: warning, critical },
  };
}

export function drawScoreChart(canvas: HTMLCanvasElement, input: ScoreChartInput): { destroy(): void } {
  const { points, from, timeZone, unit, describe, bandLabels, ondrawn } = input;
  const to = Math.max(input.to, ...points.map((p) => Date.parse(p.capturedAt)));
  const colors = { ...palette(canvas), ...bandColors(canvas) };
  const dense = points.length > 60;
  const dateOf = axisFormat(unit, timeZone);
  const drawn: Plugin<'line'> = { id: 'drawn', afterRender: () => ondrawn() };
  const bandColor = (band: ScoreBand | null) =>
    band === 'critical' ? colors.breached : band === 'at_risk' ? colors.near : colors.line;

  const config: ChartConfiguration<'line', Array<{ x: number; y: number | null }>> = {
    type: 'line',
    data: {
      datasets: [
        {
          label: 'Score',
          data: points.map((p) => ({ x: Date.parse(p.capturedAt), y: p.score })),
          borderColor: colors.line,
          backgroundColor: colors.line,
          borderWidth: 2,
          pointStyle: points.map((p) => BAND_STYLE[p.band ?? 'healthy']),
          // The newest score always shows; over a long range only the days below healthy are marked.
          pointRadius: points.map((p, i) =>
            i === points.length - 1 ? 4 : p.band === 'healthy' || !p.band ? (dense ? 0 : 3) : dense ? 3 : 4,
          ),
          pointHoverRadius: 6,
          pointBackgroundColor: points.map((p) => bandColor(p.band)),
          pointBorderColor: colors.surface,
          pointBorderWidth: 1,
          segment: {
            borderColor: (ctx) =>
              (ctx.p1.parsed.x ?? 0) - (ctx.p0.parsed.x ?? 0) > SCORE_GAP_MS ? 'transparent' : undefined,
          },
          tension: 0,
          clip: 6,
        },
      ],
    },
    options: {
      ...chartBase(colors),
      scales: {
        x: timeAxis(from, to, unit, colors, dateOf),
        y: {
          type: 'linear',
          min: 0,
          max: SCORE_MAX,
          afterBuildTicks: (axis) => {
            axis.ticks = SCORE_TICKS.map((value) => ({ value }));
          },
          grid: { color: colors.grid },
          border: { color: colors.grid },
          ticks: { color: colors.text, autoSkip: false, callback: (value) => count(Number(value)) },
        },
      },
      plugins: {
        tooltip: {
          displayColors: false,
          callbacks: {
            title: (items) => {
              const point = items[0] ? points[items[0].dataIndex] : undefined;
              return point ? describe(point).title : '';
            },
            label: (item) => {
              const point = points[item.dataIndex];
              return point ? describe(point).lines : '';
            },
          },
        },
      },
    },
    plugins: [scoreBands(bandLabels, colors), drawn],
  };

  const chart = new Chart(canvas, config);
  return { destroy: () => chart.destroy() };
}
