import type { SegmentEvent } from '@segment/analytics-next'
import type { ResolvedSettings } from '../settings'

/** What an event becomes at Impact: a PageLoad, a Conversion, an app-install Conversion, or nothing. */
export type Route = 'pageLoad' | 'conversion' | 'install' | undefined

/** Routes an event by its type, the enable* switches and the event-name lists. */
export function routeEvent(event: SegmentEvent, settings: ResolvedSettings): Route {
  switch (event.type) {
    case 'page':
      return settings.enablePageEvents ? 'pageLoad' : undefined
    case 'screen':
      return settings.enableScreenEvents ? 'pageLoad' : undefined
    case 'identify':
      return settings.enableIdentifyEvents ? 'pageLoad' : undefined
    case 'track': {
      const name = event.event ?? ''
      if (settings.actionEventNames.includes(name)) return 'conversion'
      if (settings.installEventNames.includes(name)) return 'install'
      return settings.pageLoadEventNames.includes(name) ? 'pageLoad' : undefined
    }
    default:
      return undefined
  }
}
