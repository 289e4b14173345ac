import type { TrackedPage } from './click-tracker'

/**
 * The page `win` shows, as the click tracker needs it. `framedBy` is the page framing it, as the
 * document's referrer names it ('' when the framing page withholds it), when that page is of
 * another origin: a hidden frame on another site that loads the shop's `?irclickid=` page is click
 * stuffing. The referrer, not `location.ancestorOrigins`, since Firefox has no such list.
 */
export function trackedPage(win: Window): TrackedPage {
  const { hostname, protocol } = win.location
  let framedBy: string | undefined = win.document.referrer
  try {
    // Reading a cross-origin top's location throws; a readable one is this very origin (or this
    // very document, when it is the top).
    if (win.top!.location.href) framedBy = undefined
  } catch {
    // Another origin.
  }
  return { hostname, protocol, framedBy }
}
