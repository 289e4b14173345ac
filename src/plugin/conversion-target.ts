import type { ConversionTarget } from '../delivery/delivery'
import { basicAuth, conversionsUrl } from '../impact-api'
import type { Logger } from '../log'
import type { ResolvedSettings } from '../settings'

/**
 * Decides where conversions go, telling the site owner at load about anything risky or missing:
 * by default the relay, with no credentials in the browser; Impact's Conversions API directly only
 * when the site explicitly accepts that every visitor can read its Auth Token.
 */
export function conversionTarget(settings: ResolvedSettings, log: Logger): ConversionTarget | undefined {
  const { accountSid, apiKey } = settings
  if (apiKey && settings.allowBrowserCredentials) {
    log.warn('allowBrowserCredentials: every visitor can read apiKey')
    return {
      url: conversionsUrl(accountSid),
      authorization: basicAuth(accountSid, apiKey),
    }
  }
  if (apiKey) log.warn('apiKey unused: it is for the relay')
  if (!settings.conversionEndpoint) log.error('no conversionEndpoint: no conversions sent')
  return settings.conversionEndpoint ? { url: settings.conversionEndpoint } : undefined
}
