import { describe, expect, it } from 'vitest'
import { ImpactSettingsError, resolveSettings, type ResolvedSettings } from '../src/settings'

const MINIMAL = { accountSid: 'IRsid123', campaignId: 1000 }

/** What a site gets from `{ accountSid, campaignId }` alone (DESIGN.md, Settings). */
const DEFAULTS: ResolvedSettings = {
  accountSid: 'IRsid123',
  apiKey: undefined,
  campaignId: '1000',
  actionEventNames: ['Order Completed'],
  installEventNames: ['Application Installed'],
  pageLoadEventNames: ['Application Opened'],
  eventTypeId: undefined,
  customParameterMapping: [],
  customMappingForProducts: [],
  enablePageEvents: false,
  enableScreenEvents: false,
  enableIdentifyEvents: false,
  iOsAppId: undefined,
  androidAppId: undefined,
  conversionEndpoint: undefined,
  allowBrowserCredentials: false,
  pageLoadEndpoint: 'https://trkapi.impact.com/PageLoad',
  clickIdParams: ['irclickid', 'im_ref'],
  cookieDomain: undefined,
  cookieMaxAgeDays: 30,
  uniqueClickWindowMinutes: 30,
  defaultCurrency: 'USD',
  consentCategories: [],
  sendWithoutConsent: false,
  debug: false,
}

function ok(raw: unknown): ResolvedSettings {
  const result = resolveSettings(raw)
  if (result instanceof ImpactSettingsError) throw new Error('expected valid settings, got: ' + result.message)
  return result
}

function failed(raw: unknown): ImpactSettingsError {
  const result = resolveSettings(raw)
  expect(result).toBeInstanceOf(ImpactSettingsError)
  return result as ImpactSettingsError
}

/** The key each problem names (problems start with `key:`). */
const keysOf = (error: ImpactSettingsError): string[] => error.problems.map((p) => p.slice(0, p.indexOf(':')))

describe('defaults', () => {
  it('fills every default for a minimal { accountSid, campaignId }', () => {
    expect(ok(MINIMAL)).toEqual(DEFAULTS)
  })

  it.each([
    ['number', 1000, '1000'],
    ['numeric string', '1000', '1000'],
    ['numeric string with spaces', ' 1000 ', '1000'],
    ['large id', 987654321, '987654321'],
  ])('campaignId as a %s', (_name, campaignId, expected) => {
    expect(ok({ ...MINIMAL, campaignId }).campaignId).toBe(expected)
  })

  it.each([
    ['actionEventNames', ['Order Completed']],
    ['installEventNames', ['Application Installed']],
    ['pageLoadEventNames', ['Application Opened']],
    ['clickIdParams', ['irclickid', 'im_ref']],
  ] as const)('an empty %s array means its default', (key, expected) => {
    expect(ok({ ...MINIMAL, [key]: [] })[key]).toEqual(expected)
  })

  it.each([
    ['apiKey', undefined],
    ['eventTypeId', undefined],
    ['iOsAppId', undefined],
    ['androidAppId', undefined],
    ['conversionEndpoint', undefined],
    ['pageLoadEndpoint', 'https://trkapi.impact.com/PageLoad'],
    ['cookieDomain', undefined],
    ['cookieMaxAgeDays', 30],
    ['uniqueClickWindowMinutes', 30],
    ['customParameterMapping', []],
    ['customMappingForProducts', []],
  ] as const)("'' for %s means its default", (key, expected) => {
    expect(ok({ ...MINIMAL, [key]: '' })[key]).toEqual(expected)
    expect(ok({ ...MINIMAL, [key]: '   ' })[key]).toEqual(expected)
  })

  it.each([
    ['list names', { actionEventNames: ['Checkout Done'] }, { actionEventNames: ['Checkout Done'] }],
    ['eventTypeId as a string', { eventTypeId: '12345' }, { eventTypeId: '12345' }],
    [
      'a same-origin PageLoad proxy',
      { pageLoadEndpoint: '/impact/pageload' },
      { pageLoadEndpoint: '/impact/pageload' },
    ],
    [
      'an https PageLoad proxy',
      { pageLoadEndpoint: 'https://t.shop.example/PageLoad' },
      { pageLoadEndpoint: 'https://t.shop.example/PageLoad' },
    ],
    ['a relay path', { conversionEndpoint: '/impact/conversions' }, { conversionEndpoint: '/impact/conversions' }],
    ['cookieMaxAgeDays 1', { cookieMaxAgeDays: 1 }, { cookieMaxAgeDays: 1 }],
    ['cookieMaxAgeDays 400', { cookieMaxAgeDays: 400 }, { cookieMaxAgeDays: 400 }],
    [
      'browser credentials with apiKey',
      { apiKey: 'tok', allowBrowserCredentials: true },
      { apiKey: 'tok', allowBrowserCredentials: true },
    ],
    [
      'consent settings',
      { consentCategories: ['C0004'], sendWithoutConsent: true },
      { consentCategories: ['C0004'], sendWithoutConsent: true },
    ],
    [
      'switches on',
      { enablePageEvents: true, enableScreenEvents: true, enableIdentifyEvents: true, debug: true },
      { enablePageEvents: true, enableScreenEvents: true, enableIdentifyEvents: true, debug: true },
    ],
  ])('accepts %s', (_name, extra, expected) => {
    expect(ok({ ...MINIMAL, ...extra })).toEqual({ ...DEFAULTS, ...expected })
  })
})

describe('text maps', () => {
  const PAIRS: Array<[string, string]> = [
    ['CustomerStatus', 'properties.customer_status'],
    ['Text1', 'context.traits.plan'],
  ]

  it.each(['customParameterMapping', 'customMappingForProducts'] as const)(
    '%s: { A: path } and [{ key, value }] give the same pairs',
    (key) => {
      const asObject = ok({ ...MINIMAL, [key]: Object.fromEntries(PAIRS) })[key]
      const asList = ok({ ...MINIMAL, [key]: PAIRS.map(([k, value]) => ({ key: k, value })) })[key]
      expect(asObject).toEqual(PAIRS)
      expect(asList).toEqual(PAIRS)
    },
  )

  it.each([
    ['{}', {}],
    ['[]', []],
    ["''", ''],
    ['null', null],
  ])('an empty text map (%s) means no pairs', (_name, value) => {
    expect(ok({ ...MINIMAL, customParameterMapping: value }).customParameterMapping).toEqual([])
  })
})

describe('Segment-style settings objects', () => {
  // Exactly as Segment delivers this destination's settings: every key present, blanks as '',
  // lists as [], text maps as [{ key, value }].
  const SEGMENT = {
    accountSid: 'IRsid123',
    apiKey: '',
    campaignId: '1000',
    actionEventNames: [],
    installEventNames: [],
    pageLoadEventNames: [],
    eventTypeId: '',
    customParameterMapping: [{ key: 'CustomerStatus', value: 'properties.customer_status' }],
    customMappingForProducts: [],
    enablePageEvents: true,
    enableScreenEvents: false,
    enableIdentifyEvents: false,
    iOsAppId: '',
    androidAppId: '',
  }

  it("resolves Segment's own keys as delivered", () => {
    expect(ok(SEGMENT)).toEqual({
      ...DEFAULTS,
      enablePageEvents: true,
      customParameterMapping: [['CustomerStatus', 'properties.customer_status']],
    })
  })

  it("resolves with this plugin's additions present but blank", () => {
    const raw = {
      ...SEGMENT,
      conversionEndpoint: '',
      allowBrowserCredentials: false,
      pageLoadEndpoint: '',
      clickIdParams: [],
      cookieDomain: '',
      cookieMaxAgeDays: '',
      uniqueClickWindowMinutes: '',
      debug: false,
    }
    expect(ok(raw)).toEqual({
      ...DEFAULTS,
      enablePageEvents: true,
      customParameterMapping: [['CustomerStatus', 'properties.customer_status']],
    })
  })
})

describe('invalid settings', () => {
  it('one bad object yields ONE error listing every problem with its key', () => {
    const error = failed({
      // accountSid missing
      campaignId: 'abc',
      cookieMaxAgeDays: 0,
      enablePageEvents: 'yes',
      clickIdParams: [1],
      eventTypeId: 'x',
      pageLoadEndpoint: 'javascript:alert(1)',
      allowBrowserCredentials: true, // without apiKey
    })
    expect(keysOf(error).sort()).toEqual(
      [
        'accountSid',
        'campaignId',
        'cookieMaxAgeDays',
        'enablePageEvents',
        'clickIdParams',
        'eventTypeId',
        'pageLoadEndpoint',
        'allowBrowserCredentials',
      ].sort(),
    )
    for (const problem of error.problems) expect(error.message).toContain(problem)
    expect(error.name).toBe('ImpactSettingsError')
    expect(error).toBeInstanceOf(Error)
  })

  it.each([
    ['accountSid missing', { accountSid: undefined }, 'accountSid'],
    ["accountSid ''", { accountSid: '' }, 'accountSid'],
    ['accountSid not a string', { accountSid: 42 }, 'accountSid'],
    ['campaignId missing', { campaignId: undefined }, 'campaignId'],
    ["campaignId 'abc'", { campaignId: 'abc' }, 'campaignId'],
    ['campaignId -5', { campaignId: -5 }, 'campaignId'],
    ['campaignId 1.5', { campaignId: 1.5 }, 'campaignId'],
    ['campaignId 0', { campaignId: 0 }, 'campaignId'],
    ['campaignId an object', { campaignId: { id: 1 } }, 'campaignId'],
    ['cookieMaxAgeDays 0', { cookieMaxAgeDays: 0 }, 'cookieMaxAgeDays'],
    ['cookieMaxAgeDays 401', { cookieMaxAgeDays: 401 }, 'cookieMaxAgeDays'],
    ['cookieMaxAgeDays NaN', { cookieMaxAgeDays: Number.NaN }, 'cookieMaxAgeDays'],
    ["cookieMaxAgeDays 'soon'", { cookieMaxAgeDays: 'soon' }, 'cookieMaxAgeDays'],
    ['uniqueClickWindowMinutes 0', { uniqueClickWindowMinutes: 0 }, 'uniqueClickWindowMinutes'],
    ["enablePageEvents 'yes'", { enablePageEvents: 'yes' }, 'enablePageEvents'],
    ['enableIdentifyEvents 1', { enableIdentifyEvents: 1 }, 'enableIdentifyEvents'],
    ["debug 'true'", { debug: 'true' }, 'debug'],
    ['clickIdParams [1]', { clickIdParams: [1] }, 'clickIdParams'],
    ["clickIdParams ['']", { clickIdParams: [''] }, 'clickIdParams'],
    ["consentCategories 'C0004'", { consentCategories: 'C0004' }, 'consentCategories'],
    ['consentCategories [4]', { consentCategories: [4] }, 'consentCategories'],
    ["sendWithoutConsent 'yes'", { sendWithoutConsent: 'yes' }, 'sendWithoutConsent'],
    ["clickIdParams 'irclickid'", { clickIdParams: 'irclickid' }, 'clickIdParams'],
    ['actionEventNames [null]', { actionEventNames: [null] }, 'actionEventNames'],
    ["eventTypeId 'x'", { eventTypeId: 'x' }, 'eventTypeId'],
    ["iOsAppId 'app'", { iOsAppId: 'app' }, 'iOsAppId'],
    ["pageLoadEndpoint 'javascript:alert(1)'", { pageLoadEndpoint: 'javascript:alert(1)' }, 'pageLoadEndpoint'],
    ['pageLoadEndpoint protocol-relative', { pageLoadEndpoint: '//evil.example/PageLoad' }, 'pageLoadEndpoint'],
    ['pageLoadEndpoint ftp', { pageLoadEndpoint: 'ftp://files.example/PageLoad' }, 'pageLoadEndpoint'],
    ["conversionEndpoint 'data:'", { conversionEndpoint: 'data:text/html,hi' }, 'conversionEndpoint'],
    ['allowBrowserCredentials without apiKey', { allowBrowserCredentials: true }, 'allowBrowserCredentials'],
    [
      'customParameterMapping value not a string',
      { customParameterMapping: { CustomerStatus: 1 } },
      'customParameterMapping',
    ],
    [
      'customParameterMapping pair without value',
      { customParameterMapping: [{ key: 'CustomerStatus' }] },
      'customParameterMapping',
    ],
    [
      'customMappingForProducts a string',
      { customMappingForProducts: 'ItemSku=product_id' },
      'customMappingForProducts',
    ],
  ])('%s: exactly one problem, naming its key', (_name, change, key) => {
    const error = failed({ ...MINIMAL, ...change })
    expect(error.problems).toHaveLength(1)
    expect(error.problems[0]).toMatch(new RegExp(`^${key}: \\S`))
    expect(error.message).toContain(error.problems[0])
  })

  it.each([
    ['null', null],
    ['a string', 'IRsid123'],
    ['an array', [MINIMAL]],
    ['undefined', undefined],
  ])('settings that are %s: an error, not a throw', (_name, raw) => {
    const error = failed(raw)
    expect(keysOf(error)).toEqual(expect.arrayContaining(['accountSid', 'campaignId']))
  })

  // resolveSettings documents "Never throws"; impactPartnershipCloud() calls it outside any try, so a
  // throw here breaks the site's register() call instead of reporting one settings error.
  it('never throws, even for a campaignId that JSON cannot serialize (a BigInt)', () => {
    expect(() => resolveSettings({ ...MINIMAL, campaignId: 1000n })).not.toThrow()
  })
})

describe('defaultCurrency', () => {
  it.each([
    ['EUR', 'EUR'],
    [' gbp ', 'GBP'],
  ])('%j resolves to %j', (value, expected) => {
    expect(ok({ ...MINIMAL, defaultCurrency: value }).defaultCurrency).toBe(expected)
  })

  it.each([['EURO'], ['€'], ['US'], [978]])('%j is refused, naming the key', (value) => {
    const error = failed({ ...MINIMAL, defaultCurrency: value })
    expect(keysOf(error)).toEqual(['defaultCurrency'])
  })
})

describe('hostile input', () => {
  it.each([
    ['pageLoadEndpoint', '/\\evil.example/PageLoad'],
    ['conversionEndpoint', '/\\evil.example/x'],
    ['conversionEndpoint', 'https://shop.example\\@evil.example/x'],
    ['conversionEndpoint', '/impact\\conversions'],
  ])('%s %j with a backslash is refused (browsers read it as another host)', (key, value) => {
    const error = failed({ ...MINIMAL, [key]: value })
    expect(error.problems).toEqual([expect.stringMatching(new RegExp(`^${key}: .*backslash`))])
  })

  it('a throwing getter is one listed problem, never a throw', () => {
    const raw = Object.defineProperty({ ...MINIMAL }, 'debug', {
      get() {
        throw new Error('boom')
      },
      enumerable: true,
    })
    let result: unknown
    expect(() => (result = resolveSettings(raw))).not.toThrow()
    expect(keysOf(result as ImpactSettingsError)).toEqual(['debug'])
  })

  it('a Proxy whose every trap throws: every key listed, no throw', () => {
    const boom = (): never => {
      throw new Error('boom')
    }
    const raw = new Proxy({}, { get: boom, has: boom, ownKeys: boom, getPrototypeOf: boom })
    let result: unknown
    expect(() => (result = resolveSettings(raw))).not.toThrow()
    expect(keysOf(result as ImpactSettingsError)).toEqual(expect.arrayContaining(['accountSid', 'debug']))
  })

  it('a list that is a Proxy is copied: later reads never touch the page object', () => {
    let reads = 0
    const names = new Proxy(['Order Completed'], { get: (t, k) => (reads++, Reflect.get(t, k)) })
    const settings = ok({ ...MINIMAL, actionEventNames: names })
    const before = reads
    expect(settings.actionEventNames.includes('Order Completed')).toBe(true)
    expect(reads).toBe(before)
  })

  it('a value whose toString throws (in the message) is still one problem', () => {
    const weird = {
      toJSON: () => {
        throw new Error('x')
      },
      toString: () => {
        throw new Error('y')
      },
    }
    expect(keysOf(failed({ ...MINIMAL, cookieMaxAgeDays: weird }))).toEqual(['cookieMaxAgeDays'])
  })
})
