import { sendCommand, type Connection } from "./connection.js";
import { atLeast, type HaVersion } from "./version.js";

/** A grid import with its cost statistic, independent of HA's prefs schema. */
export interface GridImport {
  energyStatisticId: string;
  costStatisticId: string | null;
  /** Energy returned to the grid (export), shown as "return to grid" with this import. */
  returnStatisticId?: string | null;
}

export type EnergyPrefs = { energy_sources: Record<string, unknown>[]; device_consumption: unknown[] } & Record<string, unknown>;

/**
 * The `energy_sources` entries for grid imports in the schema of a given HA:
 * up to 2026.2 one grid source with a `flow_from` list; from 2026.3 one flat grid source each.
 */
export function gridSources(imports: GridImport[], ha: HaVersion): Record<string, unknown>[] {
  if (!atLeast(ha, 2026, 3)) {
    return [
      {
        type: "grid",
        flow_from: imports.map((i) => ({ stat_energy_from: i.energyStatisticId, stat_cost: i.costStatisticId, entity_energy_price: null, number_energy_price: null })),
        flow_to: imports.flatMap((i) => (i.returnStatisticId ? [{ stat_energy_to: i.returnStatisticId, stat_compensation: null, entity_energy_price: null, number_energy_price: null }] : [])),
        cost_adjustment_day: 0,
      },
    ];
  }
  return imports.map((i) => ({
    type: "grid",
    stat_energy_from: i.energyStatisticId,
    stat_energy_to: i.returnStatisticId ?? null,
    stat_cost: i.costStatisticId,
    entity_energy_price: null,
    number_energy_price: null,
    stat_compensation: null,
    entity_energy_price_export: null,
    number_energy_price_export: null,
    cost_adjustment_day: 0,
  }));
}

/** Statistic ids a grid source refers to, in either schema. */
function gridStatisticIds(source: Record<string, unknown>): string[] {
  const ids: string[] = [];
  if (typeof source.stat_energy_from === "string") ids.push(source.stat_energy_from);
  if (Array.isArray(source.flow_from)) for (const f of source.flow_from as Record<string, unknown>[]) if (typeof f.stat_energy_from === "string") ids.push(f.stat_energy_from);
  if (typeof source.stat_energy_to === "string") ids.push(source.stat_energy_to);
  if (Array.isArray(source.flow_to)) for (const f of source.flow_to as Record<string, unknown>[]) if (typeof f.stat_energy_to === "string") ids.push(f.stat_energy_to);
  return ids;
}

export async function getPrefs(conn: Connection): Promise<EnergyPrefs | undefined> {
  try {
    return await sendCommand<EnergyPrefs>(conn, { type: "energy/get_prefs" });
  } catch (err) {
    if (err instanceof Error && /No prefs|not_found/.test(err.message)) return undefined;
    throw err;
  }
}

/**
 * Adds our grid imports to the Energy prefs, keeping every other source the user has. Grid sources
 * that already point at our statistics are replaced; in the old schema our flows join the one grid source.
 */
export async function addGridImports(conn: Connection, imports: GridImport[], ha: HaVersion): Promise<EnergyPrefs> {
  const prefs = await getPrefs(conn);
  const ours = new Set(imports.flatMap((i) => [i.energyStatisticId, ...(i.returnStatisticId ? [i.returnStatisticId] : [])]));
  const existing = prefs?.energy_sources ?? [];
  let sources: Record<string, unknown>[];
  if (!atLeast(ha, 2026, 3)) {
    const grid = existing.find((s) => s.type === "grid");
    const others = existing.filter((s) => s !== grid);
    const keptFlows = ((grid?.flow_from as Record<string, unknown>[] | undefined) ?? []).filter((f) => !ours.has(f.stat_energy_from as string));
    const ourGrid = gridSources(imports, ha)[0]!;
    const keptReturns = ((grid?.flow_to as Record<string, unknown>[] | undefined) ?? []).filter((f) => !ours.has(f.stat_energy_to as string));
    sources = [...others, { ...ourGrid, ...(grid ?? {}), flow_from: [...keptFlows, ...(ourGrid.flow_from as unknown[])], flow_to: [...keptReturns, ...(ourGrid.flow_to as unknown[])] }];
  } else {
    const others = existing.filter((s) => !(s.type === "grid" && gridStatisticIds(s).some((id) => ours.has(id))));
    sources = [...others, ...gridSources(imports, ha)];
  }
  return sendCommand<EnergyPrefs>(conn, { type: "energy/save_prefs", energy_sources: sources });
}

export interface EnergyValidationIssue {
  type: string;
  affected_entities: [string, unknown][];
  translation_placeholders: Record<string, string> | null;
}

export interface EnergyValidation {
  energy_sources: EnergyValidationIssue[][];
  device_consumption: EnergyValidationIssue[][];
}

export function validateEnergy(conn: Connection): Promise<EnergyValidation> {
  return sendCommand(conn, { type: "energy/validate" });
}

export interface CurrentUser {
  id: string;
  name: string;
  is_admin: boolean;
  is_owner: boolean;
}

export function currentUser(conn: Connection): Promise<CurrentUser> {
  return sendCommand(conn, { type: "auth/current_user" });
}

/**
 * Adds the statistics to the Energy prefs' `device_consumption`, keeping every entry the user has.
 * Only for an administrator (HA refuses `energy/save_prefs` otherwise); returns the ids added.
 */
export async function addDevicesToEnergyPrefs(conn: Connection, statisticIds: readonly string[]): Promise<string[]> {
  const user = await currentUser(conn);
  if (!user.is_admin) throw new Error(`the Home Assistant user "${user.name}" is not an administrator, so devices cannot be added to the Energy dashboard`);
  const prefs = await getPrefs(conn);
  const existing = (prefs?.device_consumption ?? []) as { stat_consumption?: unknown }[];
  const have = new Set(existing.map((d) => d.stat_consumption));
  const added = statisticIds.filter((id) => !have.has(id));
  if (added.length === 0) return [];
  await sendCommand(conn, { type: "energy/save_prefs", device_consumption: [...existing, ...added.map((id) => ({ stat_consumption: id }))] });
  return added;
}
