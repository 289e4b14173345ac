import { describe, expect, it } from 'vitest'
import { routeEvent } from '../src/plugin/route'
import { resolved } from './support/settings'

describe('routeEvent', () => {
  const on = resolved({ enablePageEvents: true, enableScreenEvents: true, enableIdentifyEvents: true })
  const off = resolved({})
  const custom = resolved({
    actionEventNames: ['Purchase'],
    installEventNames: ['App Installed'],
    pageLoadEventNames: ['Signed Up'],
  })
  it.each([
    ['page, enabled', { type: 'page' }, on, 'pageLoad'],
    ['page, disabled', { type: 'page' }, off, undefined],
    ['screen, enabled', { type: 'screen' }, on, 'pageLoad'],
    ['screen, disabled', { type: 'screen' }, off, undefined],
    ['identify, enabled', { type: 'identify' }, on, 'pageLoad'],
    ['identify, disabled', { type: 'identify' }, off, undefined],
    ['Order Completed', { type: 'track', event: 'Order Completed' }, off, 'conversion'],
    ['Application Installed', { type: 'track', event: 'Application Installed' }, off, 'install'],
    ['Application Opened', { type: 'track', event: 'Application Opened' }, off, 'pageLoad'],
    ['an unknown track', { type: 'track', event: 'Product Viewed' }, on, undefined],
    ['a track name differing in case', { type: 'track', event: 'order completed' }, off, undefined],
    ['a custom action name', { type: 'track', event: 'Purchase' }, custom, 'conversion'],
    ['the default action name once customised', { type: 'track', event: 'Order Completed' }, custom, undefined],
    ['a custom install name', { type: 'track', event: 'App Installed' }, custom, 'install'],
    ['a custom page load name', { type: 'track', event: 'Signed Up' }, custom, 'pageLoad'],
    ['group', { type: 'group' }, on, undefined],
    ['alias', { type: 'alias' }, on, undefined],
  ] as const)('%s -> %s', (_name, event, s, expected) => {
    expect(routeEvent(event as never, s)).toBe(expected)
  })
})
