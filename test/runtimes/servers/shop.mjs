// The shop's side of every recipe, shared by the runtime servers here: its order store, and the
// verifyConversion that binds a conversion to it. The store is a stand-in with one paid order; its
// lookup ignores case and spaces, as MySQL's default collations do, which is why the check returns
// the order's own id (and amount and currency) instead of just `true`.
const ORDERS = [{ id: 'ORDER-1', total: 25, currency: 'USD', paid: true }]

/** The paid order an id names, found the lenient way a database would find it. */
export async function findPaidOrder(orderId) {
  const key = String(orderId ?? '')
    .normalize('NFKC')
    .replace(/\s/g, '')
    .toUpperCase()
  return ORDERS.find((order) => order.paid && order.id === key)
}

/** The relay's verifyConversion, as the README's recipes write it. */
export async function verifyConversion(fields) {
  const order = await findPaidOrder(fields.OrderId)
  if (!order) return false
  return { OrderId: order.id, OrderSubTotalPostDiscount: order.total, CurrencyCode: order.currency }
}

/** The relay's options from the environment (impactBaseUrl and impactPageLoadUrl: the tests' fake Impact). */
export function relayOptions(env) {
  return {
    accountSid: env.IMPACT_ACCOUNT_SID,
    authToken: env.IMPACT_AUTH_TOKEN,
    campaignIds: [Number(env.IMPACT_CAMPAIGN_ID)],
    allowedOrigins: [env.SHOP_ORIGIN],
    impactBaseUrl: env.IMPACT_BASE_URL,
    impactPageLoadUrl: env.IMPACT_PAGELOAD_URL,
    verifyConversion,
  }
}
