/**
 * Exact image tags of the stores this package runs, so every node runs the same server and a restart
 * never pulls a different one: the newest patch release of each major line, as Docker's official-image
 * manifests (github.com/docker-library/official-images, `library/postgres` and `library/redis`) listed
 * them on 2026-08-21. Checked against those manifests only, not pulled from Docker Hub. Pure.
 */

/** PostgreSQL release of each major version (the `-alpine` variant is used). */
export const POSTGRES_RELEASES: Readonly<Record<number, string>> = { 14: "14.24", 15: "15.19", 16: "16.15", 17: "17.11", 18: "18.6" };

/** Redis release of each major version and minor line (the `-alpine` variant is used). */
export const REDIS_RELEASES: Readonly<Record<string, string>> = { "6": "6.2.24", "6.2": "6.2.24", "7": "7.4.11", "7.4": "7.4.11", "7.2": "7.2.16", "8": "8.10.1" };

/** An image and whether its tag names one release (false: a floating tag such as `16-alpine`). */
export interface StoreImage {
  readonly image: string;
  readonly pinned: boolean;
}

/**
 * The official PostgreSQL image of a spec version: the pinned release of its major, or exactly the
 * release a `major.minor` version names; a major this table does not know floats (`<major>-alpine`).
 */
export function postgresImage(version: string): StoreImage {
  const major = Number.parseInt(version, 10);
  const release = /^\d+\.\d+$/.test(version) ? version : POSTGRES_RELEASES[major];
  return release === undefined ? { image: `docker.io/library/postgres:${major}-alpine`, pinned: false } : { image: `docker.io/library/postgres:${release}-alpine`, pinned: true };
}

/** The official Redis image of a spec version (`7`, `7.2`): the pinned release of that line; an unknown line floats. */
export function redisImage(version: string): StoreImage {
  const release = REDIS_RELEASES[version];
  return release === undefined ? { image: `docker.io/library/redis:${version}-alpine`, pinned: false } : { image: `docker.io/library/redis:${release}-alpine`, pinned: true };
}
