/**
 * Labels: the user's tags normalised to Kubernetes label rules, the recommended `app.kubernetes.io/*`
 * labels, and the small immutable selector that ties a workload to its pods, Service and policies.
 */
import { checkName, normalizeTags, type ComponentDefaults, type Environment, type Problem } from "@polycloud/core";

/** What every object of one application carries, resolved once per component. */
export interface Common {
  readonly app: string;
  readonly environment: Environment;
  /** Labels for every object: normalised tags plus `app.kubernetes.io/part-of` and `managed-by`. */
  readonly labels: Readonly<Record<string, string>>;
}

/** The labels of a component's objects, from its resolved common args (`PolycloudComponent.defaults`). */
export function commonOf(defaults: ComponentDefaults): Common {
  const { app, environment } = defaults;
  return {
    app,
    environment,
    labels: {
      ...normalizeTags("kubernetes", { ...defaults.tags }, { app, environment }),
      "app.kubernetes.io/part-of": app,
      "app.kubernetes.io/managed-by": "pulumi",
    },
  };
}

/**
 * Selector labels of one workload. Selectors are immutable on Deployments and StatefulSets, so they
 * hold only what never changes: the application and the workload's name.
 */
export function selectorLabels(app: string, name: string): Record<string, string> {
  return { "app.kubernetes.io/part-of": app, "app.kubernetes.io/name": name };
}

/** Labels of one workload's objects: the common labels, its selector and its component role. */
export function workloadLabels(common: Common, name: string, component: string): Record<string, string> {
  return { ...common.labels, ...selectorLabels(common.app, name), "app.kubernetes.io/component": component };
}

/** Label on pods that the ingress controller may reach (public web services). */
export const PUBLIC_LABEL = "polycloud.dev/public";

/**
 * Label that grants a pod network access to one backing store (database, cache, bucket): the store's
 * NetworkPolicies admit pods carrying `access.polycloud.dev/<store>: "true"` and nothing else.
 * (Services admit their callers by the callers' selector labels instead: see `WebServiceArgs.callers`.)
 */
export function accessLabel(store: string): string {
  return `access.polycloud.dev/${store}`;
}

/** A problem when `value` is not a valid Kubernetes object name (DNS-1123 label), for PolycloudError. */
export function dnsLabelProblems(path: string, value: string): Problem[] {
  const problem = checkName("kubernetes", "dns1123Label", value);
  return problem === undefined ? [] : [{ path, message: problem, fix: `choose another ${path.split(".").pop() ?? "name"}` }];
}

const LABEL_NAME = /^[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$/;

/** Problems with extra labels: invalid keys or values, or keys that would override `reserved` (selector) labels. */
export function labelProblems(path: string, labels: Readonly<Record<string, string>>, reserved: Readonly<Record<string, string>>): Problem[] {
  return Object.entries(labels).flatMap(([key, value]): Problem[] => {
    const at = `${path}.${key}`;
    if (key in reserved) return [{ path: at, message: `overrides the selector label ${key}="${reserved[key]}"`, fix: `remove ${key}; the component sets it` }];
    const slash = key.lastIndexOf("/");
    const prefix = slash === -1 ? undefined : key.slice(0, slash);
    const name = key.slice(slash + 1);
    const problems: Problem[] = [];
    const prefixBad = prefix !== undefined && checkName("kubernetes", "dns1123Subdomain", prefix) !== undefined;
    if (prefixBad || name.length > 63 || !LABEL_NAME.test(name)) {
      problems.push({ path: at, message: `"${key}" is not a valid label key; allowed: an optional DNS prefix and "/", then up to 63 letters, digits, "-", "_" or "."`, fix: "rename the label, e.g. team.example.com/tier" });
    }
    if (value.length > 63 || (value !== "" && !LABEL_NAME.test(value))) {
      problems.push({ path: at, message: `"${value}" is not a valid label value; allowed: up to 63 letters, digits, "-", "_" or ".", starting and ending alphanumeric`, fix: "shorten or simplify the value" });
    }
    return problems;
  });
}
