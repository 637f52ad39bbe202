/** Robust location and spread estimators used by the correlation engine. */

/** Scales a median absolute deviation to a standard deviation for normal data. */
export const MAD_TO_SIGMA = 1.4826;
/** Standard error of a median relative to that of a mean, for normal data (√(π/2)). */
export const MEDIAN_SE_FACTOR = 1.2533;

/** Median of the values (NaN when there are none). Does not modify its input. */
export function median(values: ArrayLike<number>): number {
  const n = values.length;
  if (n === 0) return Number.NaN;
  const sorted = Float64Array.from(values).sort();
  const mid = n >> 1;
  return n % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/** Median absolute deviation from `center` (unscaled). */
export function medianAbsoluteDeviation(values: ArrayLike<number>, center: number): number {
  const deviations = new Float64Array(values.length);
  for (let i = 0; i < values.length; i += 1) deviations[i] = Math.abs(values[i]! - center);
  return median(deviations);
}

/**
 * Median of `values[0..n)` weighted by `weights`, where the weights are the durations a
 * sample-and-hold value lasted. At an exact half-way split the two neighbours are averaged, so
 * the result does not depend on the order the pieces were collected in.
 */
export function weightedMedian(values: Float64Array, weights: Float64Array, n: number): number {
  if (n === 0) return Number.NaN;
  if (n === 1) return values[0]!;
  const order = new Array<number>(n);
  let total = 0;
  for (let i = 0; i < n; i += 1) {
    order[i] = i;
    total += weights[i]!;
  }
  order.sort((a, b) => values[a]! - values[b]!);
  const half = total / 2;
  let cumulative = 0;
  for (let k = 0; k < n; k += 1) {
    const i = order[k]!;
    cumulative += weights[i]!;
    if (Math.abs(cumulative - half) <= 1e-9 * total && k + 1 < n) return (values[i]! + values[order[k + 1]!]!) / 2;
    if (cumulative > half) return values[i]!;
  }
  return values[order[n - 1]!]!;
}

/** k-th smallest of `a[0..n)` (0-based), reordering `a` in place. Linear time on average. */
export function selectInPlace(a: Float64Array, n: number, k: number): number {
  let lo = 0;
  let hi = n - 1;
  while (hi > lo) {
    const pivot = a[(lo + hi) >> 1]!;
    let i = lo;
    let j = hi;
    while (i <= j) {
      while (a[i]! < pivot) i += 1;
      while (a[j]! > pivot) j -= 1;
      if (i <= j) {
        const tmp = a[i]!;
        a[i] = a[j]!;
        a[j] = tmp;
        i += 1;
        j -= 1;
      }
    }
    if (k <= j) hi = j;
    else if (k >= i) lo = i;
    else break;
  }
  return a[k]!;
}

/** Standard error of a sample median, from its (unscaled) MAD and size. */
export function standardErrorOfMedian(mad: number, n: number): number {
  return n > 0 ? (MEDIAN_SE_FACTOR * MAD_TO_SIGMA * mad) / Math.sqrt(n) : Number.POSITIVE_INFINITY;
}

/** Error function (Abramowitz & Stegun 7.1.26, |error| < 1.5e-7). */
export function erf(x: number): number {
  const sign = x < 0 ? -1 : 1;
  const ax = Math.abs(x);
  const t = 1 / (1 + 0.3275911 * ax);
  const poly = ((((1.061405429 * t - 1.453152027) * t + 1.421413741) * t - 0.284496736) * t + 0.254829592) * t;
  return sign * (1 - poly * Math.exp(-ax * ax));
}

/** Tukey's biweight: values further than this many (unscaled) MADs from the centre get no weight. */
const BIWEIGHT_C = 6;
const BIWEIGHT_ITERATIONS = 5;

/**
 * Tukey's biweight location of the values, iterated from their median: values near the centre
 * count almost fully, those beyond `BIWEIGHT_C` MADs not at all. Unlike the median, it is not
 * pulled towards the side where most outliers lie (steps of a 60 W light confounded by a fridge's
 * 120 W cycles more often above than below), and it is nearly as efficient as the mean on the rest.
 * The median when the MAD is zero or there are fewer than three values.
 *
 * With `weights` (one per value, the inverse square of its noise: `stepWeight`), each value is judged
 * by how many of its own noise's deviations it is from the centre (the MAD of those standardised
 * distances sets the cut) and counts by its weight, so that a step read beside a 2 kW oven, its
 * readings' noise 1 % of that, counts less than one read at a quiet hour. Equal weights give the plain
 * biweight.
 */
export function biweightLocation(values: ArrayLike<number>, weights?: ArrayLike<number>): number {
  let center = median(values);
  if (values.length < 3) return center;
  const n = values.length;
  const root = weights ? Array.from({ length: n }, (_, i) => Math.sqrt(weights[i]!)) : null;
  for (let k = 0; k < BIWEIGHT_ITERATIONS; k += 1) {
    const z = root ? Array.from({ length: n }, (_, i) => (values[i]! - center) * root[i]!) : null;
    const spread = z ? median(z.map(Math.abs)) : medianAbsoluteDeviation(values, center);
    if (!(spread > 0)) return center;
    let sum = 0;
    let total = 0;
    for (let i = 0; i < n; i += 1) {
      const u = (z ? z[i]! : values[i]! - center) / (BIWEIGHT_C * spread);
      if (Math.abs(u) >= 1) continue;
      const w = (1 - u * u) ** 2 * (root ? root[i]! * root[i]! : 1);
      sum += w * values[i]!;
      total += w;
    }
    if (total <= 0) return center;
    const next = sum / total;
    if (Math.abs(next - center) < 1e-9 * Math.max(1, Math.abs(center))) return next;
    center = next;
  }
  return center;
}
