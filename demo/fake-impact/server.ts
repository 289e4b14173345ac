/**
 * A strict local stand-in for Impact's PageLoad and Conversions endpoints.
 *
 * Every request is validated, logged and answered as Impact would, so plugin and relay mistakes
 * show up in tests and in the demo panel instead of being papered over. Control routes under
 * `/__` let tests read the log, reset it and inject faults.
 */
import { randomBytes, randomUUID } from 'node:crypto'
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { BODY_LIMIT, headerErrors, parseForm, readBody, send } from './http.js'
import { createActionLedger, validateActionChange, type FakeAction } from './actions.js'
import { fieldError, validateConversion, validatePageLoad, type FieldError, type FormFields } from './validate.js'

/** The Impact endpoints the fake serves. */
export type ImpactEndpoint = 'PageLoad' | 'Conversions' | 'Actions'

/** Disturbs the next `count` answers of `endpoint` (another status, or late), after validating and logging. */
export interface Fault {
  endpoint: ImpactEndpoint
  /** The answer's status (400 to 599) instead of the judged one; absent: judged as usual. */
  status?: number
  count: number
  /** Seconds, sent as a `Retry-After` header. */
  retryAfter?: number
  /** Holds the answer this long (a slow Impact); the request is logged on arrival. */
  delayMs?: number
}

/** One request as the fake received and judged it. */
export interface LogEntry {
  /** Keeps increasing across resets, so a poller can ask for "everything after id N". */
  id: number
  at: string
  endpoint: ImpactEndpoint | 'preflight' | 'other'
  method: string
  path: string
  origin?: string
  userAgent?: string
  hasAuthorization: boolean
  contentType?: string
  fields: FormFields
  valid: boolean
  errors: FieldError[]
  status: number
  fault?: number
}

/** Credentials the Conversions endpoint accepts as HTTP Basic `accountSid:authToken`. */
export interface FakeImpactOptions {
  accountSid: string
  authToken: string
}

/** A fake Impact to mount on any `http.Server`. */
export interface FakeImpact {
  listener: (req: IncomingMessage, res: ServerResponse) => void
  /** A copy of the log, oldest first. */
  entries(): LogEntry[]
  /** Clears the log and pending faults. */
  reset(): void
  /** Queues a fault; throws when it is malformed. */
  injectFault(fault: Fault): void
  /** The actions accepted conversions created, with the reversals and changes applied. */
  actions(): FakeAction[]
  /** Locks the action of an order (its locking date passed); false when there is none. */
  lock(orderId: string): boolean
}

/** A fake Impact listening on its own server. */
export interface RunningFakeImpact extends FakeImpact {
  /** Base URL without a trailing slash, e.g. `http://127.0.0.1:54321`. */
  url: string
  close(): Promise<void>
}

const CONVERSIONS_PATH = /^\/Advertisers\/([^/]+)\/Conversions$/
const ACTIONS_PATH = /^\/Advertisers\/([^/]+)\/Actions$/

const hostOf = (url: string | undefined): string | undefined =>
  url !== undefined && URL.canParse(url) ? new URL(url).hostname : undefined

/**
 * The clickId a PageLoad answer carries: the one sent; else, when the visitor came from another
 * host (a referral), a fresh one as Impact mints for referral traffic; else none.
 */
function answerClickId(fields: FormFields): string | undefined {
  if (fields.ClickId !== undefined) return fields.ClickId
  const [page, referrer] = [hostOf(fields.PageUrl), hostOf(fields.ReferringUrl)]
  return page && referrer && page !== referrer ? `fk${randomBytes(12).toString('hex')}` : undefined
}

/** Checks a fault (tests send it as JSON, so it is untrusted); throws naming the bad key. */
function checkFault(input: unknown): Fault {
  const { endpoint, status, count, retryAfter, delayMs } = (input ?? {}) as Record<string, unknown>
  const int = (v: unknown, min: number, max = Infinity): v is number =>
    Number.isInteger(v) && (v as number) >= min && (v as number) <= max
  if (endpoint !== 'PageLoad' && endpoint !== 'Conversions' && endpoint !== 'Actions') {
    throw new Error('endpoint must be PageLoad, Conversions or Actions')
  }
  if (status === undefined && delayMs === undefined) throw new Error('give a status, a delayMs, or both')
  if (status !== undefined && !int(status, 400, 599)) throw new Error('status must be an integer from 400 to 599')
  if (!int(count, 1)) throw new Error('count must be an integer >= 1')
  if (retryAfter !== undefined && !int(retryAfter, 0)) throw new Error('retryAfter must be whole seconds >= 0')
  if (delayMs !== undefined && !int(delayMs, 1, 30_000)) throw new Error('delayMs must be an integer from 1 to 30000')
  return {
    endpoint,
    count,
    ...(status !== undefined && { status }),
    ...(retryAfter !== undefined && { retryAfter }),
    ...(delayMs !== undefined && { delayMs }),
  }
}

type Judged = Pick<LogEntry, 'endpoint' | 'fields' | 'errors' | 'status' | 'fault'>

/** Builds a fake Impact; mount `listener` on a server, or use {@link startFakeImpact}. */
export function createFakeImpact(options: FakeImpactOptions): FakeImpact {
  let log: LogEntry[] = []
  let faults: Fault[] = []
  const ledger = createActionLedger()
  let nextId = 1

  function record(req: IncomingMessage, path: string, judged: Judged): void {
    const { origin, 'user-agent': userAgent, 'content-type': contentType } = req.headers
    const hasAuthorization = req.headers.authorization !== undefined
    const at = new Date().toISOString()
    const valid = judged.errors.length === 0
    // Absent headers stay undefined, which JSON (the /__log route) drops.
    const seen = { id: nextId++, at, method: req.method ?? '', path, origin, userAgent, contentType }
    log.push({ ...seen, hasAuthorization, valid, ...judged })
  }

  function takeFault(endpoint: ImpactEndpoint): Fault | undefined {
    const fault = faults.find((f) => f.endpoint === endpoint)
    if (fault && --fault.count <= 0) faults = faults.filter((f) => f !== fault)
    return fault
  }

  /** Basic auth must be exactly accountSid:authToken, and the path must name that account. */
  function authErrors(req: IncomingMessage, sid: string): FieldError[] {
    const errors: FieldError[] = []
    if (sid !== options.accountSid) errors.push(fieldError('AccountSID', `unknown account ${sid}`))
    const basic = /^Basic ([A-Za-z0-9+/]+=*)$/.exec(req.headers.authorization ?? '')?.[1] ?? ''
    if (Buffer.from(basic, 'base64').toString() !== `${options.accountSid}:${options.authToken}`) {
      errors.push(fieldError('Authorization', 'Basic auth with Account SID and Auth Token needed'))
    }
    return errors
  }

  /** Validates, logs and answers a POST; `sid` is set for Conversions, undefined for PageLoad. */
  async function impact(req: IncomingMessage, res: ServerResponse, path: string, sid?: string) {
    const endpoint: ImpactEndpoint = sid === undefined ? 'PageLoad' : 'Conversions'
    const { text, tooLarge } = await readBody(req)
    const auth = sid === undefined ? [] : authErrors(req, sid)
    const headers = headerErrors(req, sid === undefined)
    let fields: FormFields = {}
    let errors = [...auth, ...headers]
    if (tooLarge) {
      errors = [fieldError('body', `body exceeds ${BODY_LIMIT} bytes`)]
    } else if (headers[0]?.field !== 'Content-Type') {
      // Only a form body has fields worth judging; anything else would just add noise.
      const parsed = parseForm(text)
      fields = parsed.fields ?? {}
      const validate = sid === undefined ? validatePageLoad : validateConversion
      errors.push(...parsed.errors, ...(parsed.fields ? validate(parsed.fields) : []))
    }
    const fault = takeFault(endpoint)
    const judged = tooLarge ? 413 : auth.length > 0 ? 401 : errors.length > 0 ? 400 : 200
    const status = fault?.status ?? judged
    record(req, path, { endpoint, fields, errors, status, ...(fault?.status && { fault: fault.status }) })
    if (fault?.delayMs) await new Promise((resolve) => setTimeout(resolve, fault.delayMs))

    if (status !== 200) {
      const answer = fault?.status ? [fieldError('request', `injected fault: HTTP ${status}`)] : errors
      const retry = fault?.retryAfter === undefined ? {} : { 'Retry-After': `${fault.retryAfter}` }
      const body = sid === undefined ? { errors: answer, warnings: [] } : { Status: 'ERROR', errors: answer }
      return send(res, status, body, retry)
    }
    if (sid !== undefined) {
      ledger.record(fields)
      const QueuedUri = `/Advertisers/${sid}/APISubmissions/${randomUUID().replace(/-/g, '')}`
      return send(res, 200, { Status: 'QUEUED', QueuedUri })
    }
    const clickId = answerClickId(fields)
    const sessionStart = new Date().toISOString()
    send(res, 200, { ...(clickId && { clickId }), sessionStart, warnings: [] })
  }

  /** Validates, logs and answers a reversal (`DELETE`) or modification (`PUT`) of an action. */
  async function actionChange(req: IncomingMessage, res: ServerResponse, path: string, sid: string) {
    const method = req.method as 'DELETE' | 'PUT'
    const { text, tooLarge } = await readBody(req)
    const auth = authErrors(req, sid)
    const headers = headerErrors(req, false)
    const parsed = tooLarge
      ? { fields: {}, errors: [fieldError('body', `body exceeds ${BODY_LIMIT} bytes`)] }
      : parseForm(text)
    const fields = parsed.fields ?? {}
    const errors = [
      ...auth,
      ...headers,
      ...parsed.errors,
      ...(parsed.fields ? validateActionChange(method, fields) : []),
    ]
    const fault = takeFault('Actions')
    const answer = auth.length
      ? { status: 401, body: { Status: 'ERROR', errors } }
      : errors.length
        ? { status: 400, body: { Status: 'ERROR', errors } }
        : fault?.status
          ? {
              status: fault.status,
              body: { Status: 'ERROR', errors: [fieldError('request', `injected fault: HTTP ${fault.status}`)] },
            }
          : ledger.change(method, fields)
    record(req, path, {
      endpoint: 'Actions',
      fields,
      errors,
      status: answer.status,
      ...(fault?.status && { fault: fault.status }),
    })
    const retry = fault?.retryAfter === undefined ? {} : { 'Retry-After': `${fault.retryAfter}` }
    send(res, answer.status, answer.body, retry)
  }

  /**
   * `GET /__log`, `POST /__reset`, `POST /__faults`, `GET /__actions`, `POST /__lock` (`{ orderId }`):
   * for tests and the demo panel, not logged.
   */
  async function control(req: IncomingMessage, res: ServerResponse, route: string) {
    const { text, tooLarge } = await readBody(req)
    if (route.startsWith('OPTIONS ')) {
      return send(res, 204, undefined, { 'Access-Control-Allow-Headers': 'content-type' })
    }
    if (route === 'GET /__log') return send(res, 200, { entries: structuredClone(log) })
    if (route === 'GET /__actions') return send(res, 200, { actions: ledger.list() })
    if (route === 'POST /__lock') {
      const orderId = (JSON.parse(tooLarge ? '{}' : text || '{}') as { orderId?: unknown }).orderId
      return send(res, typeof orderId === 'string' && ledger.lock(orderId) ? 200 : 404, { ok: true })
    }
    if (route === 'POST /__reset') {
      log = []
      faults = []
      ledger.reset()
      return send(res, 200, { ok: true })
    }
    if (route !== 'POST /__faults') return send(res, 404, { error: `no control route ${route}` })
    try {
      faults.push(checkFault(JSON.parse(tooLarge ? '' : text)))
      send(res, 200, { ok: true })
    } catch (e) {
      send(res, 400, { error: `want JSON { endpoint, status, count, retryAfter? }: ${String(e)}` })
    }
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const method = req.method ?? ''
    const path = (req.url ?? '/').split('?')[0] ?? '/'
    if (path.startsWith('/__')) return control(req, res, `${method} ${path}`)
    const sid = CONVERSIONS_PATH.exec(path)?.[1]
    const actionsSid = ACTIONS_PATH.exec(path)?.[1]
    if (actionsSid !== undefined && (method === 'DELETE' || method === 'PUT'))
      return actionChange(req, res, path, actionsSid)
    const known = path === '/PageLoad' || sid !== undefined
    if (method === 'POST' && known) return impact(req, res, path, sid)
    req.resume() // drain any body so a keep-alive connection stays usable

    if (method === 'OPTIONS') {
      // PageLoad must stay a CORS simple request; only Conversions with Authorization (the
      // explicit browser-credential mode) legitimately makes a browser preflight.
      const asked = req.headers['access-control-request-headers'] ?? 'none'
      const errors = !known
        ? [fieldError('path', `${path} is not an Impact endpoint`)]
        : sid === undefined
          ? [fieldError('preflight', `PageLoad was preflighted (requested headers: ${asked})`)]
          : []
      record(req, path, { endpoint: 'preflight', fields: {}, errors, status: 204 })
      return send(res, 204, undefined, {
        'Access-Control-Allow-Methods': 'POST',
        'Access-Control-Allow-Headers': 'authorization, content-type',
      })
    }
    const status = known ? 405 : 404
    const errors = known
      ? [fieldError('method', `${method} not allowed: use POST`)]
      : [fieldError('path', `${path} is not an Impact endpoint`)]
    record(req, path, { endpoint: 'other', fields: {}, errors, status })
    send(res, status, { errors }, known ? { Allow: 'POST, OPTIONS' } : {})
  }

  return {
    listener(req, res) {
      handle(req, res).catch((e: unknown) => {
        // Never crash the process on bad input or a dropped connection.
        if (!res.headersSent) send(res, 500, { errors: [fieldError('server', String(e))] })
        else res.destroy()
      })
    },
    entries: () => structuredClone(log),
    reset() {
      log = []
      faults = []
      ledger.reset()
    },
    injectFault(fault) {
      faults.push(checkFault(fault))
    },
    actions: () => ledger.list(),
    lock: (orderId) => ledger.lock(orderId),
  }
}

/** Starts a fake Impact on `host` (default 127.0.0.1) and `port` (default 0: any free port). */
export async function startFakeImpact(
  options: FakeImpactOptions & { port?: number; host?: string },
): Promise<RunningFakeImpact> {
  const fake = createFakeImpact(options)
  const server = createServer(fake.listener)
  const host = options.host ?? '127.0.0.1'
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(options.port ?? 0, host, () => resolve())
  })
  const { port } = server.address() as AddressInfo
  return {
    ...fake,
    url: `http://${host.includes(':') ? `[${host}]` : host}:${port}`,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((e) => (e ? reject(e) : resolve()))
        // Keep-alive sockets (fetch keeps them) would otherwise hold close() open.
        server.closeAllConnections()
      }),
  }
}
