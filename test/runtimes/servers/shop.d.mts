import type { ImpactRelayOptions, VerifiedOrder } from 'analytics-plugin-impact/relay'

export function findPaidOrder(orderId: unknown): Promise<{ id: string; total: number; currency: string } | undefined>
export function verifyConversion(fields: Readonly<Record<string, string>>): Promise<VerifiedOrder | false>
export function relayOptions(env: Record<string, string | undefined>): ImpactRelayOptions
