/**
 * A small evaluator of CloudWatch metric math and of a metric alarm's evaluation, for tests: it reads the
 * alarm specs' own expression strings, so a test proves what the alarm would do on a series, not what the
 * implementation meant. It knows the subset the alarms use, with CloudWatch's documented meanings
 * ("Using math expressions with CloudWatch metrics"): numbers, query ids, `+ - * /`, comparisons (1 or 0),
 * `IF(condition, then, else)` (else when the condition is 0), `FILL(series, value)` (value where the series
 * has no data point); arithmetic on a missing data point has none.
 */
import type { AlarmSpec } from "../alarms";

type Value = number | undefined;
type Node =
  | { kind: "number"; value: number }
  | { kind: "id"; name: string }
  | { kind: "call"; name: string; args: Node[] }
  | { kind: "binary"; op: string; left: Node; right: Node };

const TOKEN = /\s*(\d+(?:\.\d+)?(?:[eE][-+]?\d+)?|[A-Za-z_][A-Za-z0-9_]*|>=|<=|==|!=|[-+*/(),<>])/y;

function tokenize(expression: string): string[] {
  const tokens: string[] = [];
  TOKEN.lastIndex = 0;
  while (TOKEN.lastIndex < expression.length) {
    if (/^\s*$/.test(expression.slice(TOKEN.lastIndex))) break;
    const match = TOKEN.exec(expression);
    if (match === null) throw new Error(`Cannot read metric math at ${TOKEN.lastIndex}: ${expression}`);
    tokens.push(match[1]!);
  }
  return tokens;
}

/** Parses metric math (precedence: comparisons < `+ -` < `* /`). */
export function parse(expression: string): Node {
  const tokens = tokenize(expression);
  let at = 0;
  const peek = () => tokens[at];
  const take = (expected?: string) => {
    const token = tokens[at++];
    if (token === undefined || (expected !== undefined && token !== expected)) throw new Error(`Expected ${expected ?? "a token"} at ${at - 1} in ${expression}`);
    return token;
  };
  const level = (ops: readonly string[], next: () => Node) => (): Node => {
    let left = next();
    while (ops.includes(peek() ?? "")) {
      const op = take();
      left = { kind: "binary", op, left, right: next() };
    }
    return left;
  };
  const primary = (): Node => {
    const token = take();
    if (token === "(") {
      const inner = comparison();
      take(")");
      return inner;
    }
    if (/^\d/.test(token)) return { kind: "number", value: Number(token) };
    if (peek() === "(") {
      take("(");
      const args = [comparison()];
      while (peek() === ",") {
        take(",");
        args.push(comparison());
      }
      take(")");
      return { kind: "call", name: token.toUpperCase(), args };
    }
    return { kind: "id", name: token };
  };
  const product = level(["*", "/"], primary);
  const sum = level(["+", "-"], product);
  const comparison = level([">", "<", ">=", "<=", "==", "!="], sum);
  const node = comparison();
  if (at !== tokens.length) throw new Error(`Unexpected ${tokens[at]} in ${expression}`);
  return node;
}

/** One data point of an expression, given one data point (or none) per query id. */
export function evaluate(node: Node, values: Readonly<Record<string, Value>>): Value {
  switch (node.kind) {
    case "number":
      return node.value;
    case "id":
      if (!(node.name in values)) throw new Error(`No series ${node.name}`);
      return values[node.name];
    case "call": {
      const [a, b, c] = node.args.map((arg) => evaluate(arg, values));
      if (node.name === "FILL") return a ?? b;
      if (node.name === "IF") return a === undefined ? undefined : a !== 0 ? b : c;
      throw new Error(`Unknown function ${node.name}`);
    }
    case "binary": {
      const left = evaluate(node.left, values);
      const right = evaluate(node.right, values);
      if (left === undefined || right === undefined) return undefined;
      const ops: Record<string, (x: number, y: number) => number> = {
        "+": (x, y) => x + y,
        "-": (x, y) => x - y,
        "*": (x, y) => x * y,
        "/": (x, y) => x / y,
        ">": (x, y) => Number(x > y),
        "<": (x, y) => Number(x < y),
        ">=": (x, y) => Number(x >= y),
        "<=": (x, y) => Number(x <= y),
        "==": (x, y) => Number(x === y),
        "!=": (x, y) => Number(x !== y),
      };
      return ops[node.op]!(left, right);
    }
  }
}

/** Each metric's statistic over one of the alarm's periods, by query id or else metric name (`RequestCount`, ...); absent: no data. */
export type PeriodSums = Readonly<Record<string, number>>;

/** The data point a metric-math alarm computes for one period, from the sums of its metrics. */
export function dataPoint(alarm: AlarmSpec, sums: PeriodSums): Value {
  const queries = alarm.metricQueries ?? [];
  const values: Record<string, Value> = {};
  for (const query of queries) {
    const id = query.id as string;
    if (query.metric !== undefined) values[id] = id in sums ? sums[id] : sums[(query.metric as { metricName: string }).metricName];
  }
  const result = queries.find((q) => q.returnData === true && q.expression !== undefined);
  if (result === undefined) throw new Error(`${alarm.id} has no expression`);
  return evaluate(parse(result.expression as string), values);
}

/**
 * Whether the alarm is in ALARM after its last `evaluationPeriods` periods (oldest first), as CloudWatch
 * decides it: at least `datapointsToAlarm` breaching data points; a missing one does not breach when
 * `treatMissingData` is `notBreaching`.
 */
export function alarmFires(alarm: AlarmSpec, periods: readonly PeriodSums[]): boolean {
  const recent = periods.slice(-alarm.window.evaluationPeriods);
  if (recent.length < alarm.window.evaluationPeriods) throw new Error(`${alarm.id} evaluates ${alarm.window.evaluationPeriods} periods, ${recent.length} given`);
  const breaching = recent.filter((sums) => {
    const point = dataPoint(alarm, sums);
    if (point === undefined) return alarm.treatMissingData !== "notBreaching";
    return alarm.comparisonOperator === "GreaterThanOrEqualToThreshold" ? point >= alarm.threshold : point <= alarm.threshold;
  });
  return breaching.length >= alarm.window.datapointsToAlarm;
}

/** Hourly sums grouped into the alarm's periods (which must be whole hours), oldest first. */
export function inPeriods(alarm: AlarmSpec, hours: readonly PeriodSums[]): PeriodSums[] {
  const perPeriod = alarm.window.period / 3600;
  if (!Number.isInteger(perPeriod) || hours.length % perPeriod !== 0) throw new Error(`${hours.length} hours do not make whole ${alarm.window.period}-second periods`);
  const periods: PeriodSums[] = [];
  for (let start = 0; start < hours.length; start += perPeriod) {
    const sums: Record<string, number> = {};
    for (const hour of hours.slice(start, start + perPeriod)) for (const [metric, value] of Object.entries(hour)) sums[metric] = (sums[metric] ?? 0) + value;
    periods.push(sums);
  }
  return periods;
}
