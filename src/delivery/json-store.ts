/**
 * A JSON value in localStorage that degrades to memory: storage that is missing, throws (sandboxed
 * iframes, Safari private mode, quota) or holds corrupt or foreign data never breaks the caller.
 */
export interface JsonStore<T> {
  read(): T
  write(value: T): void
}

/** A store under `key`; `parse` turns whatever is stored into a T (or undefined to start empty). */
export function createJsonStore<T>(
  storage: () => Storage | undefined,
  key: string,
  parse: (raw: unknown) => T | undefined,
  empty: () => T,
): JsonStore<T> {
  let memory: T | undefined
  return {
    read() {
      try {
        const raw = storage()?.getItem(key)
        if (raw != null) return parse(JSON.parse(raw)) ?? empty()
      } catch {
        // Unreadable storage or corrupt JSON: what this page remembers is all there is.
      }
      return memory ?? empty()
    },
    write(value) {
      memory = value
      try {
        storage()?.setItem(key, JSON.stringify(value))
      } catch {
        // kept in memory for this page
      }
    },
  }
}

/** `window.localStorage`, or undefined where merely touching it throws. */
export function localStorageOrNone(): Storage | undefined {
  try {
    return globalThis.localStorage ?? undefined
  } catch {
    return undefined
  }
}
