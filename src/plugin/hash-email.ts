const SHA1_HEX = /^[0-9a-f]{40}$/i

/**
 * SHA-1 hex of a trimmed, lower-cased email, as Impact asks for CustomerEmail. A value that already
 * is 40 hex characters passes through (lower-cased) as already hashed. Undefined for a non-address,
 * or where WebCrypto is missing (plain-http pages): the email is then left out, never sent plain.
 */
export async function hashEmail(email: unknown): Promise<string | undefined> {
  if (typeof email !== 'string') return undefined
  const normalized = email.trim().toLowerCase()
  if (SHA1_HEX.test(normalized)) return normalized
  if (!normalized.includes('@')) return undefined
  try {
    const digest = await globalThis.crypto.subtle.digest('SHA-1', new TextEncoder().encode(normalized))
    return Array.from(new Uint8Array(digest), (b) => b.toString(16).padStart(2, '0')).join('')
  } catch {
    return undefined
  }
}
