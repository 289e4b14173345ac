/**
 * JSON values in localStorage that degrade to memory: storage that is missing, throws (sandboxed
 * iframes, Safari private mode, a full quota) or holds corrupt data never breaks the caller.
 */
export interface Store {
  /** The parsed value under `key`, or undefined when absent or unreadable. */
  load(key: string): unknown
  save(key: string, value: unknown): void
}

/**
 * A store over `storage()`. A key whose last write failed (full quota) is read from memory, so
 * reads stay consistent with what this page wrote; other keys keep coming from storage.
 */
export function createStore(storage: () => Storage | undefined): Store {
  const unsaved: Record<string, unknown> = {}
  return {
    load(key) {
      try {
        const raw = key in unsaved ? null : storage()?.getItem(key)
        if (raw !== null && raw !== undefined) return JSON.parse(raw)
      } catch {
        // corrupt JSON or storage that throws: fall back to what this page wrote
      }
      return unsaved[key]
    },
    save(key, value) {
      try {
        storage()!.setItem(key, JSON.stringify(value))
        delete unsaved[key]
      } catch {
        unsaved[key] = value
      }
    },
  }
}

/** `window.localStorage`, or undefined where merely touching it throws. */
export function localStorageOrNone(): Storage | undefined {
  try {
    return localStorage
  } catch {
    return undefined
  }
}
