import type { SegmentEvent } from '@segment/analytics-next'
import type { ResolvedSettings } from '../settings'

/** What an event becomes at Impact: a PageLoad, a Conversion, an app-install Conversion, or nothing. */
export type Route = 'pageLoad' | 'conversion' | 'install' | undefined

/** Routes an event by its type, the enable* switches and the event-name lists. */
export function routeEvent(event: SegmentEvent, settings: ResolvedSettings): Route {
  const name = event.event ?? ''
  if (event.type === 'track') {
    if (settings.actionEventNames.includes(name)) return 'conversion'
    if (settings.installEventNames.includes(name)) return 'install'
    return settings.pageLoadEventNames.includes(name) ? 'pageLoad' : undefined
  }
  const { type } = event
  const enabled =
    type === 'page'
      ? settings.enablePageEvents
      : type === 'screen'
        ? settings.enableScreenEvents
        : type === 'identify' && settings.enableIdentifyEvents
  return enabled ? 'pageLoad' : undefined
}
