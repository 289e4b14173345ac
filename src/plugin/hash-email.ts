import type { SegmentEvent } from '@segment/analytics-next'
import type { ImpactFields } from '../fields'
import { text, valueAt } from './values'

const SHA1_HEX = /^[0-9a-f]{40}$/i
/** Something an address book would take: text, one `@`, a dot in the domain, no spaces. */
const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/

/**
 * SHA-1 hex of a trimmed, lower-cased email, as Impact asks for CustomerEmail. A value that already
 * is 40 hex characters passes through (lower-cased) as already hashed. Undefined for a non-address,
 * or where WebCrypto is missing (plain-http pages): the email is then left out, never sent plain.
 */
export async function hashEmail(email: unknown): Promise<string | undefined> {
  // Numbers and booleans read as text too, but hold no `@` and no 40 hex digits.
  const normalized = text(email)?.toLowerCase()
  // No email (most events): no pattern run, nothing awaited beyond this promise.
  if (!normalized) return undefined
  if (SHA1_HEX.test(normalized)) return normalized
  if (!normalized.includes('@')) return undefined
  try {
    const digest = await globalThis.crypto.subtle.digest('SHA-1', new TextEncoder().encode(normalized))
    // Each byte as two hex digits: 256 + b is `1xx` in hex, the `1` cut off.
    return Array.from(new Uint8Array(digest), (b) => (b | 256).toString(16).slice(1)).join('')
  } catch {
    return undefined
  }
}

/** A request body as stored at once, and as sent once WebCrypto has hashed what must not go plain. */
export interface HashedBody {
  /** Form body without CustomerEmail nor an email-like CustomerId: safe to store before hashing. */
  body: string
  /** `body` plus the hashed CustomerEmail and CustomerId, when there are any. */
  finalBody: Promise<string>
}

/**
 * The one place that keeps email addresses out of what leaves the browser. `email` is the visitor's
 * address (a custom-mapped CustomerEmail in `fields` wins); it goes out as its SHA-1 only. A
 * CustomerId that is an email address goes out as its SHA-1 too (Impact forbids identifying ids).
 */
export function hashIdentity(fields: ImpactFields, email: unknown): HashedBody {
  const { CustomerEmail: mapped, ...rest } = fields
  const id = rest.CustomerId
  const idIsEmail = EMAIL.test(id!)
  if (idIsEmail) delete rest.CustomerId
  const body = encode(rest)
  const hashed = (name: string, value: unknown): Promise<string> =>
    hashEmail(value).then((hash) => (hash ? `&${name}=${hash}` : ''))
  const finalBody = Promise.all([
    body,
    idIsEmail ? hashed('CustomerId', id) : '',
    hashed('CustomerEmail', mapped ?? email),
  ])
  return { body, finalBody: finalBody.then((parts) => parts.join('')) }
}

/** Impact's form encoding. */
export function encode(fields: ImpactFields): string {
  return new URLSearchParams(fields).toString()
}

/**
 * The visitor's email: from the event, else the identified user's `traits()`. A throwing getter
 * (a hostile or broken page object) counts as no email: the event is still sent without one.
 */
export function visitorEmail(event: SegmentEvent, traits: () => unknown): unknown {
  for (const path of ['properties', 'traits', 'context.traits']) {
    const email = valueAt(event, path + '.email')
    if (email !== undefined) return email
  }
  try {
    return valueAt(traits(), 'email')
  } catch {
    // unreadable: no email
  }
}
