/** One printed benchmark figure: value beside its target and, where there is one, the ratio to its baseline. */
export interface Figure {
  name: string;
  value: number;
  unit: string;
  target?: { op: "<=" | ">="; value: number };
  baseline?: { name: string; value: number };
}

export function formatFigure(f: Figure): string {
  const num = (x: number) => (Math.abs(x) >= 100 ? Math.round(x).toLocaleString("en-US") : x.toLocaleString("en-US", { maximumFractionDigits: 2 }));
  const parts = [`${f.name}: ${num(f.value)} ${f.unit}`];
  if (f.target) {
    const met = f.target.op === ">=" ? f.value >= f.target.value : f.value <= f.target.value;
    parts.push(`target ${f.target.op} ${num(f.target.value)} ${f.unit} [${met ? "met" : "MISSED"}]`);
  }
  if (f.baseline) parts.push(`baseline (${f.baseline.name}) ${num(f.baseline.value)} ${f.unit}, ratio ${(f.value / f.baseline.value).toFixed(2)}x`);
  return parts.join(" | ");
}

export function met(f: Figure): boolean {
  if (!f.target) return true;
  return f.target.op === ">=" ? f.value >= f.target.value : f.value <= f.target.value;
}
