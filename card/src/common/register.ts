/**
 * Registering a Lovelace card (as mushroom's utils/custom-cards.ts does): its element, once per page,
 * and its entry in `window.customCards`, which HA's card picker lists.
 */
import type { CustomCardEntry } from "../ha-types.js";

/** Defines `entry.type` as `element` and lists it for the card picker; false when the page already had it (nothing done). */
export function registerCustomCard(element: CustomElementConstructor, entry: CustomCardEntry): boolean {
  if (customElements.get(entry.type)) return false;
  customElements.define(entry.type, element);
  window.customCards = window.customCards ?? [];
  if (!window.customCards.some((c) => c.type === entry.type)) window.customCards.push(entry);
  return true;
}
