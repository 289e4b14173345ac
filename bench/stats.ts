/** The p-th percentile (0 to 100) of `values`, linearly interpolated; NaN when empty. */
export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return NaN
  const sorted = [...values].sort((x, y) => x - y)
  const rank = (p / 100) * (sorted.length - 1)
  const lo = Math.floor(rank)
  const hi = Math.ceil(rank)
  return sorted[lo]! + (sorted[hi]! - sorted[lo]!) * (rank - lo)
}

/** The median of `values`; NaN when empty. */
export const median = (values: readonly number[]): number => percentile(values, 50)

/** Interquartile range (p75 - p25): run-to-run spread. */
export const iqr = (values: readonly number[]): number => percentile(values, 75) - percentile(values, 25)

/** Resolves after `ms`. */
export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms))
