// Statistics over per-frame series (a pose angle, a mouth opening) that compare an output with its driver:
// correlation, robust range and the ratio of ranges. Pure math; NaN where a figure is undefined.
import { quantile } from '../motion/quantile.ts';

export function pearson(a: ArrayLike<number>, b: ArrayLike<number>): number {
  const n = Math.min(a.length, b.length);
  if (n < 3) return Number.NaN;
  let ma = 0;
  let mb = 0;
  for (let i = 0; i < n; i++) {
    ma += a[i];
    mb += b[i];
  }
  ma /= n;
  mb /= n;
  let sab = 0;
  let saa = 0;
  let sbb = 0;
  for (let i = 0; i < n; i++) {
    sab += (a[i] - ma) * (b[i] - mb);
    saa += (a[i] - ma) ** 2;
    sbb += (b[i] - mb) ** 2;
  }
  return saa > 0 && sbb > 0 ? sab / Math.sqrt(saa * sbb) : Number.NaN;
}

/** Spread from the 5th to the 95th percentile: a range one stray frame cannot inflate. */
export function robustRange(values: ArrayLike<number>): number {
  return quantile(values, 0.95) - quantile(values, 0.05);
}

/** Range of the output over range of the driver; NaN when the driver hardly moves (below `minDriverRange`). */
export function amplitudeRatio(output: ArrayLike<number>, driver: ArrayLike<number>, minDriverRange: number): number {
  const driverRange = robustRange(driver);
  return driverRange >= minDriverRange ? robustRange(output) / driverRange : Number.NaN;
}

/** Mean of the finite values (NaN when there are none). */
export function finiteMean(values: readonly number[]): number {
  const finite = values.filter(Number.isFinite);
  return finite.length ? finite.reduce((s, v) => s + v, 0) / finite.length : Number.NaN;
}
