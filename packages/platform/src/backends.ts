/**
 * The backend registry: each provider's package, loaded only when a spec is built on it, so an AWS
 * user never installs the Kubernetes SDK. A new backend drops in by publishing its package with a
 * `backend` export; only the table below names it.
 */
import { PolycloudError, type Backend, type Provider } from "@polycloud/core";

/** The npm package implementing each provider's backend. */
export const BACKEND_PACKAGES: Readonly<Record<Provider, string>> = {
  aws: "@polycloud/aws",
  azure: "@polycloud/azure",
  gcp: "@polycloud/gcp",
  kubernetes: "@polycloud/kubernetes",
};

/** Every provider with a backend, in the order validate checks and lists them. */
export const BACKENDS = Object.keys(BACKEND_PACKAGES) as readonly Provider[];

/** The stack config key through which each provider's SDK takes the spec's `region`; Kubernetes has none. */
export const REGION_CONFIG_KEYS: Readonly<Record<Provider, string | undefined>> = {
  aws: "aws:region",
  azure: "azure-native:location",
  gcp: "gcp:region",
  kubernetes: undefined,
};

/** Loads a module by id, like `require`. Injectable so tests can register fake backends. */
export type ModuleLoader = (id: string) => unknown;

// A synchronous load: Platform builds its children in its constructor, which cannot await an import().
// eslint-disable-next-line @typescript-eslint/no-require-imports
const nodeRequire: ModuleLoader = (id) => require(id);

/**
 * Loads the backend of a provider from its package.
 * @throws PolycloudError naming the package to install when it (or one of its peer dependencies) is missing.
 */
export function loadBackend(provider: Provider, load: ModuleLoader = nodeRequire): Backend {
  const packageName = BACKEND_PACKAGES[provider];
  let module: unknown;
  try {
    module = load(packageName);
  } catch (error) {
    throw missingPackage(error, provider, packageName) ?? error;
  }
  const backend = (module as { backend?: Partial<Backend> } | undefined)?.backend;
  if (backend?.provider !== provider || typeof backend.build !== "function") {
    throw new Error(`${packageName} does not export a \`backend\` for ${provider} (a Backend with provider, packageName and build(model, parent, options)); is it a polycloud backend package?`);
  }
  return backend as Backend;
}

/** A PolycloudError when `error` says a package is not installed, else undefined (a real failure inside the backend). */
function missingPackage(error: unknown, provider: Provider, packageName: string): PolycloudError | undefined {
  if ((error as NodeJS.ErrnoException | undefined)?.code !== "MODULE_NOT_FOUND") return undefined;
  const missing = /Cannot find module '([^']+)'/.exec((error as Error).message)?.[1];
  // Relative paths are files missing inside an installed package: a broken install, not a missing package.
  if (missing === undefined || missing.startsWith(".") || missing.startsWith("/")) return undefined;
  const name = missing.startsWith("@") ? missing.split("/").slice(0, 2).join("/") : missing.split("/")[0]!;
  const what = name === packageName ? `the ${provider} backend ${packageName} is not installed` : `${name}, which ${packageName} needs, is not installed`;
  return new PolycloudError(
    [{ path: "provider", message: `"${provider}" was chosen but ${what}`, fix: `install it: pnpm add ${name} (or npm install ${name})` }],
    "Backend not available",
  );
}

