// Injected fakes for delivery tests: scripted fetch, manual clock and timers, Map-backed and
// hostile Storage variants, an in-memory Web Locks manager, and a spy logger. No real network.
import { vi } from 'vitest'
import type { Logger } from '../../src/log'

/** Lets every pending promise chain (fetch, Response.json, locks) run to completion. */
export async function settle(rounds = 20): Promise<void> {
  for (let i = 0; i < rounds; i++) await new Promise<void>((resolve) => setImmediate(resolve))
}

/** 'pending' when `promise` has not settled after the queue has been drained. */
export async function stateOf<T>(promise: Promise<T>): Promise<{ value: T } | 'pending'> {
  let outcome: { value: T } | 'pending' = 'pending'
  void promise.then((value) => (outcome = { value }))
  await settle()
  return outcome
}

// ---------------------------------------------------------------------------------------------
// fetch

/** What the fake server does with one request. */
export type Reply =
  | number
  | 'network'
  /** Never answers, even when aborted: a fuse that stops a runaway send loop. */
  | 'hang'
  | { status: number; json?: unknown; headers?: Record<string, string> }
  | Gate

/** A reply the test releases later (to keep a request in flight). */
export interface Gate {
  readonly gate: true
  promise: Promise<Reply>
  open(reply: Reply): void
}

export function gate(): Gate {
  let open!: (reply: Reply) => void
  const promise = new Promise<Reply>((resolve) => (open = resolve))
  return { gate: true, promise, open }
}

export interface Call {
  url: string
  init: RequestInit
  method: string | undefined
  body: string
  headers: Headers
}

export interface ScriptedFetch {
  fetch: typeof fetch
  calls: Call[]
  /** Replies used in order; when empty, `fallback` answers (or the request fails the test). */
  queue(...replies: Reply[]): ScriptedFetch
  fallback: ((call: Call) => Reply) | undefined
  /** Runs inside fetch, before anything is answered. */
  onRequest: ((call: Call) => void) | undefined
  bodies(): string[]
}

function toResponse(reply: Exclude<Reply, 'network' | 'hang' | Gate>): Response {
  if (typeof reply === 'number') return new Response(null, { status: reply })
  const body = reply.json === undefined ? null : JSON.stringify(reply.json)
  const headers: Record<string, string> = { ...(reply.headers ?? {}) }
  if (body !== null) headers['content-type'] ??= 'application/json'
  return new Response(body, { status: reply.status, headers })
}

export function scriptedFetch(): ScriptedFetch {
  const pending: Reply[] = []
  const self: ScriptedFetch = {
    calls: [],
    fallback: undefined,
    onRequest: undefined,
    queue(...replies) {
      pending.push(...replies)
      return self
    },
    bodies: () => self.calls.map((c) => c.body),
    fetch: async (input, init = {}) => {
      const call: Call = {
        url: String(input),
        init,
        method: init.method,
        body: typeof init.body === 'string' ? init.body : String(init.body),
        // As the browser sends them: a URLSearchParams body brings its own Content-Type.
        headers: new Request(new URL(String(input), 'https://shop.example/'), {
          method: init.method,
          body: init.body,
          headers: init.headers,
        }).headers,
      }
      self.calls.push(call)
      self.onRequest?.(call)
      let reply = pending.length ? pending.shift()! : self.fallback?.(call)
      if (reply === undefined) throw new Error(`unexpected request #${self.calls.length} to ${call.url}`)
      if (typeof reply === 'object' && 'gate' in reply) {
        const signal = init.signal
        reply = await new Promise<Reply>((resolve, reject) => {
          void (reply as Gate).promise.then(resolve)
          signal?.addEventListener('abort', () => reject(new DOMException('aborted', 'AbortError')))
        })
      }
      if (reply === 'hang') return new Promise<Response>(() => undefined)
      if (reply === 'network') throw new TypeError('Failed to fetch')
      return toResponse(reply as Exclude<Reply, 'network' | 'hang' | Gate>)
    },
  }
  return self
}

// ---------------------------------------------------------------------------------------------
// time

export class Clock {
  constructor(public t = Date.UTC(2024, 4, 1, 12, 0, 0)) {}
  now = (): number => this.t
}

interface Timer {
  at: number
  seq: number
  run: () => void
}

/** A manual timer queue for one tab; `delays` records every requested wait in order. */
export class Timers {
  private timers: Timer[] = []
  private seq = 0
  private requested: number[] = []
  constructor(readonly clock: Clock) {}

  get delays(): number[] {
    return [...this.requested]
  }

  setTimeout = (run: () => void, ms: number): unknown => {
    const seq = this.seq++
    this.requested.push(ms)
    this.timers.push({ at: this.clock.t + Math.max(0, ms), seq, run })
    return seq
  }

  get pending(): number {
    return this.timers.length
  }

  /** When the earliest pending timer is due (Infinity: none). */
  get nextAt(): number {
    return Math.min(...this.timers.map((t) => t.at))
  }

  private takeDue(limit: number): Timer | undefined {
    this.timers.sort((a, b) => a.at - b.at || a.seq - b.seq)
    const first = this.timers[0]
    if (!first || first.at > limit) return undefined
    this.timers.shift()
    return first
  }

  /** Moves the clock forward by `ms`, running (and settling) every timer that comes due. */
  async advance(ms: number): Promise<void> {
    const end = this.clock.t + ms
    for (let timer = this.takeDue(end); timer; timer = this.takeDue(end)) {
      this.clock.t = Math.max(this.clock.t, timer.at)
      timer.run()
      await settle()
    }
    this.clock.t = Math.max(this.clock.t, end)
    await settle()
  }

  /** Runs the earliest timer (moving the clock to it). */
  async step(): Promise<void> {
    const timer = this.takeDue(Infinity)
    if (!timer) throw new Error('no timer pending')
    this.clock.t = Math.max(this.clock.t, timer.at)
    timer.run()
    await settle()
  }

  /** Runs timers one after another (moving the clock to each) until none is left. */
  async runAll(maxTimers = 100): Promise<void> {
    for (let i = 0; i < maxTimers; i++) {
      const timer = this.takeDue(Infinity)
      if (!timer) return
      this.clock.t = Math.max(this.clock.t, timer.at)
      timer.run()
      await settle()
    }
    throw new Error(`still timers pending after ${maxTimers}`)
  }
}

/** Deterministic, varied randomness (ids must differ); `constant` for jitter tests. */
export function sequenceRandom(seed = 1): () => number {
  let x = seed
  return () => {
    x = (x * 16807) % 2147483647
    return (x - 1) / 2147483646
  }
}

// ---------------------------------------------------------------------------------------------
// storage

/**
 * Map-backed Storage. `fill()` models a full quota as browsers do: a setItem that would grow the
 * total size throws QuotaExceededError, one that shrinks or keeps it succeeds; reads always work.
 */
export class MemoryStorage implements Storage {
  // Storage's own index signature is `any`: an implementation must repeat it.
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  [name: string]: any
  readonly map = new Map<string, string>()
  /** Most characters (keys plus values) the storage may hold; undefined: unlimited. */
  quota: number | undefined = undefined
  accesses = 0

  constructor(seed: Record<string, string> = {}) {
    for (const [k, v] of Object.entries(seed)) this.map.set(k, v)
  }
  get length(): number {
    return this.map.size
  }
  /** Characters in use. */
  get used(): number {
    let n = 0
    for (const [k, v] of this.map) n += k.length + v.length
    return n
  }
  /** From now on the storage is full: nothing may grow it. */
  fill(): void {
    this.quota = this.used
  }
  clear(): void {
    this.accesses++
    this.map.clear()
  }
  getItem(key: string): string | null {
    this.accesses++
    return this.map.get(key) ?? null
  }
  key(index: number): string | null {
    this.accesses++
    return [...this.map.keys()][index] ?? null
  }
  removeItem(key: string): void {
    this.accesses++
    this.map.delete(key)
  }
  setItem(key: string, value: string): void {
    this.accesses++
    const old = this.map.get(key)
    const grown = this.used - (old === undefined ? 0 : key.length + old.length) + key.length + String(value).length
    if (this.quota !== undefined && grown > this.quota) {
      throw new DOMException('The quota has been exceeded.', 'QuotaExceededError')
    }
    this.map.set(key, String(value))
  }
}

/**
 * One localStorage as several tabs see it: a tab reads its own writes at once, other tabs' only
 * after a real macrotask (`settle()`), as browsers propagate changes between processes, or, with
 * `lag`, after `lag.ms` on `lag.timers` (a busy browser). Writes are ordered centrally, so every
 * tab converges on the last one.
 */
export function laggingStorages(
  tabs: number,
  seed: Record<string, string> = {},
  lag?: { ms: number; timers: Timers },
): MemoryStorage[] {
  const central = new Map(Object.entries(seed))
  const views = Array.from({ length: tabs }, () => new MemoryStorage(seed))
  const later = (run: () => void): unknown => (lag ? lag.timers.setTimeout(run, lag.ms) : setImmediate(run))
  const propagate = (key: string): void => {
    later(() => {
      const value = central.get(key)
      for (const view of views) {
        if (value === undefined) view.map.delete(key)
        else view.map.set(key, value)
      }
    })
  }
  for (const view of views) {
    const setItem = view.setItem.bind(view)
    const removeItem = view.removeItem.bind(view)
    view.setItem = (key: string, value: string): void => {
      setItem(key, value)
      central.set(key, String(value))
      propagate(key)
    }
    view.removeItem = (key: string): void => {
      removeItem(key)
      central.delete(key)
      propagate(key)
    }
  }
  return views
}

/** Storage whose every access throws (sandboxed iframe, storage blocked). */
export class ThrowingStorage implements Storage {
  // Storage's own index signature is `any`: an implementation must repeat it.
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  [name: string]: any
  attempts = 0
  private fail(): never {
    this.attempts++
    throw new DOMException('The operation is insecure.', 'SecurityError')
  }
  get length(): number {
    return this.fail()
  }
  clear(): void {
    this.fail()
  }
  getItem(_key: string): string | null {
    return this.fail()
  }
  key(_index: number): string | null {
    return this.fail()
  }
  removeItem(_key: string): void {
    this.fail()
  }
  setItem(_key: string, _value: string): void {
    this.fail()
  }
}

/** True when the JSON stored under `key` contains the string `value` anywhere (shape-agnostic). */
export function storedJsonHolds(storage: Storage, key: string, value: string): boolean {
  const raw = storage.getItem(key)
  if (raw === null || raw === undefined) return false
  let parsed: unknown
  try {
    parsed = JSON.parse(raw)
  } catch {
    return false
  }
  const search = (v: unknown): boolean =>
    v === value ||
    (typeof v === 'object' && v !== null && Object.entries(v).some(([k, inner]) => k === value || search(inner)))
  return search(parsed)
}

/** True when any stored value contains `fragment` (for "PageLoads are not persisted"). */
export function anyStoredValueContains(storage: MemoryStorage, fragment: string): boolean {
  return [...storage.map.values()].some((v) => v.includes(fragment))
}

/** A cookie jar for the sent-keys fallback: values by name; `refuse` models cookies off. */
export class FakeFallbackStore {
  readonly values = new Map<string, string>()
  refuse = false
  get = (name: string): string | undefined => this.values.get(name)
  set = (name: string, value: string, _days: number): boolean => {
    if (!this.refuse) this.values.set(name, value)
    return !this.refuse
  }
}

// ---------------------------------------------------------------------------------------------
// Web Locks

/** In-memory LockManager: `request(name, cb)` grants one holder per name at a time, FIFO. */
export class FakeLocks implements LockManager {
  private tails = new Map<string, Promise<unknown>>()
  held = 0
  maxHeld = 0
  granted = 0

  query(): Promise<LockManagerSnapshot> {
    return Promise.resolve({ held: [], pending: [] })
  }

  request<T>(name: string, callback: LockGrantedCallback<T>): Promise<Awaited<T>>
  request<T>(name: string, options: LockOptions, callback: LockGrantedCallback<T>): Promise<Awaited<T>>
  request<T>(name: string, a: LockOptions | LockGrantedCallback<T>, b?: LockGrantedCallback<T>): Promise<Awaited<T>> {
    const callback = (typeof a === 'function' ? a : b) as LockGrantedCallback<T>
    const previous = this.tails.get(name) ?? Promise.resolve()
    const run = previous.then(async (): Promise<Awaited<T>> => {
      this.held++
      this.granted++
      this.maxHeld = Math.max(this.maxHeld, this.held)
      try {
        return await callback({ name, mode: 'exclusive' } as Lock)
      } finally {
        this.held--
      }
    })
    this.tails.set(
      name,
      run.catch(() => undefined),
    )
    return run
  }
}

// ---------------------------------------------------------------------------------------------
// logger

export type SpyLogger = Logger & {
  debug: ReturnType<typeof vi.fn>
  warn: ReturnType<typeof vi.fn>
  error: ReturnType<typeof vi.fn>
  messages(): string[]
}

export function spyLogger(): SpyLogger {
  const log = {
    debug: vi.fn((_m: string, _d?: unknown) => undefined),
    warn: vi.fn((_m: string) => undefined),
    error: vi.fn((_m: string) => undefined),
    messages: (): string[] =>
      [...log.debug.mock.calls, ...log.warn.mock.calls, ...log.error.mock.calls].map((c) => String(c[0])),
  }
  return log
}
