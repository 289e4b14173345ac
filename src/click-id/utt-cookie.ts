import { isValidClickId } from './click-id'

/**
 * The click id kept by Impact's own tag (UTT) in its `IR_<campaignId>` cookie, whose value is
 * `lastActivityMs|0|sessionStartMs|<clickId>|` (pipes usually percent-encoded as %7C). Lets a site
 * that replaces UTT with this plugin keep attributing clicks already in flight.
 */
export function clickIdFromUttCookie(value: string | undefined): string | undefined {
  if (!value) return undefined
  let decoded = value
  try {
    decoded = decodeURIComponent(value)
  } catch {
    // A stray % in a foreign cookie: fall through with the raw value.
  }
  const clickId = decoded.split('|')[3]
  return isValidClickId(clickId) ? clickId : undefined
}
