/**
 * Request plumbing for the fake Impact: reading a bounded body, parsing a form strictly,
 * checking headers and sending JSON that browsers may read cross-origin.
 */
import type { IncomingMessage, ServerResponse } from 'node:http'
import { fieldError, type FieldError, type FormFields } from './validate.js'

/** Largest body the fake reads (bytes); beyond it the answer is 413. */
export const BODY_LIMIT = 64 * 1024
const FORM = 'application/x-www-form-urlencoded'

/** Reads at most BODY_LIMIT bytes, draining the rest so a keep-alive socket stays usable. */
export function readBody(req: IncomingMessage): Promise<{ text: string; tooLarge: boolean }> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = []
    let size = 0
    req.on('data', (chunk: Buffer) => {
      size += chunk.length
      if (size <= BODY_LIMIT) chunks.push(chunk)
    })
    req.on('end', () => {
      resolve({ text: Buffer.concat(chunks).toString(), tooLarge: size > BODY_LIMIT })
    })
    req.on('error', reject)
  })
}

/**
 * Parses a form body. URLSearchParams quietly keeps malformed `%` escapes and repeated keys;
 * Impact rejects both, so both are reported (a repeated key under its own name). A malformed
 * body yields no fields at all: judging fragments of it would only add noise.
 */
export function parseForm(body: string): { fields?: FormFields; errors: FieldError[] } {
  try {
    decodeURIComponent(body.replace(/\+/g, ' '))
  } catch {
    return { errors: [fieldError('body', 'malformed percent-encoding in the form')] }
  }
  const fields = new Map<string, string>()
  const errors: FieldError[] = []
  for (const [key, value] of new URLSearchParams(body)) {
    if (!fields.has(key)) fields.set(key, value)
    else if (!errors.some((e) => e.field === key)) errors.push(fieldError(key, 'is given twice'))
  }
  // fromEntries, not assignment: a `__proto__` key must stay a plain (unknown) field.
  return { fields: Object.fromEntries(fields), errors }
}

/** The content type must be a form; PageLoad must also carry no credentials of any kind. */
export function headerErrors(req: IncomingMessage, pageLoad: boolean): FieldError[] {
  const { 'content-type': type, authorization, cookie } = req.headers
  const errors: FieldError[] = []
  if (type?.split(';')[0]?.trim().toLowerCase() !== FORM) {
    errors.push(fieldError('Content-Type', `must be ${FORM} (got ${type ?? 'none'})`))
  }
  // Credentials on PageLoad leak secrets or cost a CORS preflight: the plugin must send none.
  if (pageLoad && authorization !== undefined) {
    errors.push(fieldError('Authorization', 'PageLoad takes no credentials'))
  }
  if (pageLoad && cookie !== undefined) {
    errors.push(fieldError('Cookie', 'PageLoad must be sent without cookies (credentials: omit)'))
  }
  return errors
}

/** Sends JSON (or no body); every answer is readable cross-origin, as PageLoad's must be. */
export function send(res: ServerResponse, status: number, body?: unknown, headers = {}): void {
  res.writeHead(status, {
    'Access-Control-Allow-Origin': '*',
    // Retry-After is not CORS-safelisted: without this a browser could not honour it.
    'Access-Control-Expose-Headers': 'Retry-After',
    'Cache-Control': 'no-store',
    ...(body === undefined ? {} : { 'Content-Type': 'application/json' }),
    ...headers,
  })
  res.end(body === undefined ? undefined : JSON.stringify(body))
}
