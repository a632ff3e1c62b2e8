/** Props with defaults: how constructs fill the optional fields their callers leave out. */

/**
 * `given` over `defaults`, field by field (one level). A field given as `undefined` keeps its
 * default, as an omitted one does, so a caller can pass optional config values straight through.
 */
export function withDefaults<T extends object>(defaults: T, given: { readonly [K in keyof T]?: T[K] | undefined } | undefined): T {
  const merged = { ...defaults };
  for (const [key, value] of Object.entries(given ?? {})) {
    if (value !== undefined) (merged as Record<string, unknown>)[key] = value;
  }
  return merged;
}
