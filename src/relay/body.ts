/** Reading and parsing the relay's form body, within a hard size limit. */

/** A parsed form (a Map, so a parameter named `__proto__` stays data), or what is wrong with the body. */
export type ParsedForm =
  { ok: true; fields: Map<string, string> } | { ok: false; status: 400 | 408 | 413 | 500; error: string }

/** What the relay answers when a framework read the body before it. */
export const BODY_CONSUMED =
  'The request body was already read: mount the relay before any body parser (express.urlencoded, express.json, ...)'

/**
 * Reads and parses an `application/x-www-form-urlencoded` body of at most `maxBytes`, within
 * `timeoutMs`: a sender that trickles its body gets 408 instead of holding the relay. Content-Length
 * refuses early but is not trusted: the stream itself is cut at the limit. A parameter given twice is
 * refused rather than guessing which value the sender meant.
 */
export async function readForm(request: Request, maxBytes: number, timeoutMs: number): Promise<ParsedForm> {
  const TOO_LARGE = { ok: false, status: 413, error: `Request body is larger than ${maxBytes} bytes` } as const
  if (Number(request.headers.get('content-length')) > maxBytes) return TOO_LARGE
  if (request.bodyUsed) return { ok: false, status: 500, error: BODY_CONSUMED }
  let text = ''
  if (request.body) {
    const reader = request.body.getReader()
    const decoder = new TextDecoder('utf-8', { fatal: true })
    let size = 0
    let decoding = false // tells a read failure from invalid UTF-8 in the catch below
    let timer: ReturnType<typeof setTimeout> | undefined
    const late = new Promise<'late'>((resolve) => (timer = setTimeout(() => resolve('late'), timeoutMs)))
    const read = () => Promise.race([reader.read(), late])
    try {
      for (let chunk = await read(); chunk === 'late' || !chunk.done; chunk = await read()) {
        if (chunk === 'late') {
          reader.cancel().catch(() => undefined)
          return { ok: false, status: 408, error: `Request body not received within ${timeoutMs} ms` }
        }
        size += chunk.value.byteLength
        if (size > maxBytes) {
          // Not awaited: a stalled client must not hold the answer back.
          reader.cancel().catch(() => undefined)
          return TOO_LARGE
        }
        decoding = true
        text += decoder.decode(chunk.value, { stream: true })
        decoding = false
      }
      decoding = true
      text += decoder.decode()
    } catch {
      return {
        ok: false,
        status: 400,
        error: decoding ? 'Request body is not valid UTF-8' : 'Could not read the request body',
      }
    } finally {
      clearTimeout(timer)
    }
  }
  const fields = new Map<string, string>()
  for (const [name, value] of new URLSearchParams(text)) {
    if (fields.has(name))
      return { ok: false, status: 400, error: `Parameter ${JSON.stringify(name)} appears more than once; send it once` }
    fields.set(name, value)
  }
  return { ok: true, fields }
}
