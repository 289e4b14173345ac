import type { ConversionTarget } from '../delivery/delivery'
import type { Logger } from '../log'
import type { ResolvedSettings } from '../settings'

/** Impact's Conversions API, used only with `allowBrowserCredentials`. */
export const IMPACT_CONVERSIONS_URL = 'https://api.impact.com/Advertisers/{accountSid}/Conversions'

/**
 * Decides where conversions go, telling the site owner at load about anything risky or missing:
 * by default the relay, with no credentials in the browser; Impact directly only when the site
 * explicitly accepts that every visitor can read its Auth Token.
 */
export function conversionTarget(settings: ResolvedSettings, log: Logger): ConversionTarget | undefined {
  if (settings.allowBrowserCredentials && settings.apiKey) {
    log.warn(
      'allowBrowserCredentials is on: your Impact Auth Token (apiKey) is readable by every visitor. ' +
        'Use the relay (conversionEndpoint) to keep it on your server.',
    )
    return {
      url: IMPACT_CONVERSIONS_URL.replace('{accountSid}', encodeURIComponent(settings.accountSid)),
      authorization: 'Basic ' + btoa(settings.accountSid + ':' + settings.apiKey),
    }
  }
  if (settings.apiKey) {
    log.warn(
      'apiKey is set but never sent from the browser. Remove it from browser settings and give it to ' +
        'the relay (analytics-plugin-impact/relay); set allowBrowserCredentials only if you accept exposing it.',
    )
  }
  if (settings.conversionEndpoint) return { url: settings.conversionEndpoint }
  log.error(
    'conversions are not sent: set conversionEndpoint to the URL of your conversion relay ' +
      "(such as '/impact/conversions'), which keeps the Impact Auth Token on your server.",
  )
  return undefined
}
