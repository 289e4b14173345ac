/**
 * JSON values in localStorage that degrade to memory: storage that is missing, throws (sandboxed
 * iframes, Safari private mode, a full quota) or holds corrupt data never breaks the caller.
 */
export interface Store {
  /** The parsed value under `key`, or undefined when absent or unreadable. */
  load(key: string): unknown
  /** The stored text under `key`, unparsed: a cheap emptiness check. */
  raw(key: string): string | null | undefined
  /** Writes `value`; false when storage refused it (this page then reads it from memory). */
  save(key: string, value: unknown): boolean
}

/**
 * A store over `storage()` (none: memory only). A key whose last write failed (full quota) is
 * read from memory, so reads stay consistent with what this page wrote; other keys keep coming
 * from storage. `storage()` may throw (sandboxed iframes): every use is guarded.
 */
export function createStore(storage?: () => Storage | undefined): Store {
  const unsaved: Record<string, unknown> = {}
  const raw = (key: string): string | null | undefined => {
    try {
      return key in unsaved ? JSON.stringify(unsaved[key]) : storage?.()?.getItem(key)
    } catch {
      return undefined
    }
  }
  return {
    raw,
    load(key) {
      // One path for storage and memory: a value kept in memory comes back as a copy, as from storage.
      const text = raw(key)
      try {
        // Absent is the normal case (an empty outbox): answered without parsing, so nothing throws.
        return text ? JSON.parse(text) : undefined
      } catch {
        // corrupt JSON
        return undefined
      }
    },
    save(key, value) {
      try {
        storage!()!.setItem(key, JSON.stringify(value))
        delete unsaved[key]
        return true
      } catch {
        unsaved[key] = value
        return false
      }
    },
  }
}
