/**
 * A Grafana dashboard (JSON model) with the four golden signals of each service: traffic, errors,
 * latency and saturation. Pure: the Monitoring component stores it in a ConfigMap that Grafana's
 * dashboard sidecar loads.
 */
import { errorRatio, latencyQuantile, requestRate, type RequestMetrics, type SeriesSelector } from "./promql";

interface Panel {
  readonly title: string;
  readonly unit: string;
  readonly expr: string;
  /** Draws the target as a threshold line, where there is one. */
  readonly threshold?: number;
}

/** The golden-signal panels of one service. */
export function goldenSignals(s: SeriesSelector, targets: { latencyP95Ms: number; errorRatePercent: number }, metrics: RequestMetrics = {}): Panel[] {
  // cAdvisor series of the service's containers: the container carries the service's name.
  const container = `namespace="${s.namespace}",container="${s.service}"`;
  return [
    { title: `${s.service}: traffic`, unit: "reqps", expr: requestRate(s, "5m", metrics) },
    { title: `${s.service}: error ratio`, unit: "percentunit", expr: errorRatio(s, "5m", metrics), threshold: targets.errorRatePercent / 100 },
    { title: `${s.service}: p95 latency`, unit: "s", expr: latencyQuantile(s, "5m", 0.95, metrics), threshold: targets.latencyP95Ms / 1000 },
    { title: `${s.service}: CPU`, unit: "short", expr: `sum(rate(container_cpu_usage_seconds_total{${container}}[5m]))` },
    { title: `${s.service}: memory`, unit: "bytes", expr: `sum(container_memory_working_set_bytes{${container}})` },
  ];
}

/** The dashboard JSON model: one row of golden signals per service. */
export function dashboardModel(o: {
  uid: string;
  title: string;
  services: readonly SeriesSelector[];
  targets: { latencyP95Ms: number; errorRatePercent: number };
  metrics?: RequestMetrics;
}): Record<string, unknown> {
  const width = 24 / 5;
  const panels = o.services.flatMap((s, row) =>
    goldenSignals(s, o.targets, o.metrics).map((p, col) => ({
      id: row * 10 + col + 1,
      type: "timeseries",
      title: p.title,
      datasource: { type: "prometheus", uid: "${datasource}" },
      gridPos: { h: 8, w: Math.floor(width), x: Math.floor(col * width), y: row * 8 },
      fieldConfig: {
        defaults: {
          unit: p.unit,
          ...(p.threshold === undefined
            ? {}
            : { thresholds: { mode: "absolute", steps: [{ color: "green", value: null }, { color: "red", value: p.threshold }] }, custom: { thresholdsStyle: { mode: "line" } } }),
        },
        overrides: [],
      },
      targets: [{ refId: "A", expr: p.expr }],
    })),
  );
  return {
    uid: o.uid,
    title: o.title,
    schemaVersion: 39,
    time: { from: "now-6h", to: "now" },
    refresh: "1m",
    tags: ["polycloud", "golden-signals"],
    templating: { list: [{ name: "datasource", type: "datasource", query: "prometheus" }] },
    panels,
  };
}
