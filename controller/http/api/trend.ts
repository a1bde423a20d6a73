// A least-squares straight line through points, for the capacity analytics:
// the growth rate of tenants and allocation over the git history, and each
// shared tenant's metric trend in the promotion forecast. Pure.

export interface TrendPoint {
  /** Unix seconds (or any x). */
  x: number;
  y: number;
}

export interface LinearFit {
  /** Change of y per unit of x. */
  slope: number;
  /** y at x = 0. */
  intercept: number;
  points: number;
}

/** The least-squares line through the finite points; undefined with fewer than two distinct x. */
export function linearFit(points: readonly TrendPoint[]): LinearFit | undefined {
  const usable = points.filter((p) => Number.isFinite(p.x) && Number.isFinite(p.y));
  const n = usable.length;
  if (n < 2) return undefined;
  const meanX = usable.reduce((a, p) => a + p.x, 0) / n;
  const meanY = usable.reduce((a, p) => a + p.y, 0) / n;
  let sxx = 0;
  let sxy = 0;
  for (const p of usable) {
    sxx += (p.x - meanX) ** 2;
    sxy += (p.x - meanX) * (p.y - meanY);
  }
  if (sxx === 0) return undefined;
  const slope = sxy / sxx;
  return { slope, intercept: meanY - slope * meanX, points: n };
}

export function valueAt(fit: LinearFit, x: number): number {
  return fit.intercept + fit.slope * x;
}
