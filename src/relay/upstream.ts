/** Posting a form to Impact and reading its answer within bounds. */

import { CONVERSION_MAX_BYTES } from '../impact-api'

/** The most of Impact's answer the relay reads (64 KiB): its JSON answers are a few hundred bytes. */
export const ANSWER_MAX_BYTES = CONVERSION_MAX_BYTES

/** Impact's answer: its status and JSON, or why there was none. */
export type ImpactAnswer =
  | {
      reached: true
      status: number
      /** The parsed JSON body; undefined when the body was not JSON or was over ANSWER_MAX_BYTES. */
      json: unknown
      retryAfter?: string | undefined
    }
  | { reached: false; timedOut: boolean }

/** One request to Impact (a form POST, unless `method` says otherwise). */
export interface ImpactRequest {
  /** Default `POST`; the Actions API takes `DELETE` and `PUT`. */
  method?: 'POST' | 'PUT' | 'DELETE' | undefined
  url: string
  fields: Readonly<Record<string, string>>
  /** Basic credentials (conversions); PageLoads go without. */
  authorization?: string | undefined
  timeoutMs: number
}

/** The body as text, or undefined once it passes `maxBytes` (the rest is never read). */
async function boundedText(response: Response, maxBytes: number): Promise<string | undefined> {
  if (!response.body) return ''
  const reader = response.body.getReader()
  const chunks: Uint8Array[] = []
  let size = 0
  for (let chunk = await reader.read(); !chunk.done; chunk = await reader.read()) {
    size += chunk.value.byteLength
    if (size > maxBytes) {
      reader.cancel().catch(() => undefined)
      return undefined
    }
    chunks.push(chunk.value)
  }
  const bytes = new Uint8Array(size)
  let at = 0
  for (const chunk of chunks) {
    bytes.set(chunk, at)
    at += chunk.byteLength
  }
  return new TextDecoder().decode(bytes)
}

function parseJson(text: string | undefined): unknown {
  try {
    return text === undefined ? undefined : (JSON.parse(text) as unknown)
  } catch {
    return undefined
  }
}

/**
 * Sends `fields` as a form to Impact and reads at most ANSWER_MAX_BYTES of the answer, all
 * within `timeoutMs`. Never throws. Redirects are not followed: credentials must never be replayed
 * to wherever one points.
 */
export async function postToImpact(request: ImpactRequest): Promise<ImpactAnswer> {
  const headers: Record<string, string> = {
    'content-type': 'application/x-www-form-urlencoded',
    accept: 'application/json',
  }
  if (request.authorization) headers.authorization = request.authorization
  try {
    const response = await fetch(request.url, {
      method: request.method ?? 'POST',
      headers,
      body: new URLSearchParams(request.fields).toString(),
      redirect: 'manual', // 'error' is not supported everywhere
      signal: AbortSignal.timeout(request.timeoutMs),
    })
    const json = parseJson(await boundedText(response, ANSWER_MAX_BYTES))
    const retryAfter = response.headers.get('retry-after') ?? undefined
    return { reached: true, status: response.status, json, retryAfter }
  } catch (error) {
    return { reached: false, timedOut: error instanceof Error && error.name === 'TimeoutError' }
  }
}

/** A top-level property of a JSON object, or undefined. */
export function jsonProperty(json: unknown, key: string): unknown {
  return typeof json === 'object' && json !== null && !Array.isArray(json)
    ? (json as Record<string, unknown>)[key]
    : undefined
}
