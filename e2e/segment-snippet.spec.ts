import type { Page, Request } from '@playwright/test'
import { expect, only, test } from './fixtures'

const NAME = 'Impact Partnership Cloud'
const CLICK = 'SnippetClick-7x8y9z'

interface SegmentPayload {
  type: string
  _metadata?: { bundled?: string[]; unbundled?: string[] }
}

/** Opens the snippet page of `writeKey` on a partner landing; returns its first Segment.io page call and warnings. */
async function landWithSnippet(page: Page, writeKey: string) {
  const warnings: string[] = []
  page.on('console', (m) => void (m.type() === 'warning' && warnings.push(m.text())))
  const segmentPage = page.waitForRequest((r: Request) => r.url().endsWith('/segment/v1/p'))
  await page.goto(`/snippet/${writeKey}?irclickid=${CLICK}`)
  const payload = (await segmentPage).postDataJSON() as SegmentPayload
  return { payload, warnings }
}

for (const [writeKey, form] of [
  ['snippet-entry', 'an integrations entry'],
  ['snippet-unbundled', 'a name in unbundledIntegrations'],
] as const) {
  test(`Segment's cloud-mode Impact destination (${form}) is listed as bundled in the Segment.io payload, with one warning`, async ({
    page,
    impact,
  }) => {
    const { payload, warnings } = await landWithSnippet(page, writeKey)
    expect(payload._metadata?.bundled).toEqual([NAME, 'Segment.io'])
    // Other cloud-mode destinations are untouched.
    expect(payload._metadata?.unbundled).toEqual(['Braze'])
    const about = warnings.filter((w) => w.includes('cloud mode'))
    expect(about).toHaveLength(1)
    expect(about[0]).toMatch(/twice/)
    // Nothing else changes: the landing is still one unique-click PageLoad with its ClickId, and the
    // cloud-mode entry's settings were never used as credentials.
    const entries = await impact.waitFor((e) => only('PageLoad', e).length === 1, 'the landing PageLoad')
    expect(only('PageLoad', entries)[0]!.fields).toMatchObject({ ClickId: CLICK, CampaignId: '12345' })
    expect(JSON.stringify(entries)).not.toContain('IRcloud')
  })
}

/** Cloud-mode copies the plugin cannot replace: Segment keeps delivering them, and one warning says why. */
const NOT_CLAIMED = [
  {
    writeKey: 'snippet-entry',
    setup: 'no conversionEndpoint',
    missing: 'conversionEndpoint',
    // The shop forgot its relay's URL: the plugin has nowhere to send sales.
    config: 'delete window.DEMO.settings.conversionEndpoint',
  },
  {
    writeKey: 'snippet-screens',
    setup: 'screen events on in the cloud copy',
    missing: 'enableScreenEvents',
    config: '',
  },
] as const

for (const { writeKey, setup, missing, config } of NOT_CLAIMED) {
  test(`the cloud-mode destination is left on when the plugin would not deliver what it does (${setup})`, async ({
    page,
  }) => {
    await page.route('**/config.js', async (route) => {
      const original = await route.fetch()
      await route.fulfill({ response: original, body: (await original.text()) + `\n${config}\n` })
    })
    const { payload, warnings } = await landWithSnippet(page, writeKey)
    // Segment's servers still send their copy: no sale reaches nobody.
    expect(payload._metadata?.bundled).toEqual(['Segment.io'])
    expect(payload._metadata?.unbundled).toEqual(['Braze', NAME])
    expect(warnings.filter((w) => w.includes('cloud mode'))).toEqual([
      `[Impact] ${NAME} in cloud mode: left on: this plugin lacks ${missing}`,
    ])
  })
}

test("with Segment's snippet, register() before page() sends the landing as a unique click with its ClickId", async ({
  page,
  impact,
}) => {
  const { payload, warnings } = await landWithSnippet(page, 'snippet-plain')
  // A source without the cloud-mode destination: no warning, metadata as analytics-next made it.
  expect(payload._metadata?.bundled).toEqual(['Segment.io'])
  expect(payload._metadata?.unbundled).toEqual(['Braze'])
  expect(warnings.filter((w) => w.includes('cloud mode'))).toEqual([])
  const entries = await impact.waitFor((e) => only('PageLoad', e).length === 1, 'the landing PageLoad')
  const landing = only('PageLoad', entries)[0]!
  expect(landing.fields.ClickId).toBe(CLICK)
  expect(landing.fields.PageUrl).toContain(`irclickid=${CLICK}`)
  // Exactly one: a late second PageLoad would be a double-counted click.
  await page.waitForTimeout(1500)
  expect(only('PageLoad', await impact.entries())).toHaveLength(1)
})
