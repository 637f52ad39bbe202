/**
 * Contact Energy's answers, validated and mapped onto our model. Pure: no I/O, no clock.
 * The API is undocumented and its samples differ (numbers as strings, fields that come and go,
 * a bare array or a `{usage: […]}` wrapper), so the schemas accept every shape seen in the wild
 * and reject only what we could not map without guessing.
 */
import { DateTime } from "luxon";
import * as z from "zod";
import { ProviderError, bodyExcerpt } from "../errors.js";
import { CONTACT_CURRENCY, CONTACT_TIME_ZONE } from "./constants.js";
import type { ContactAccountFacts, ContactContract, ContactUsage } from "./types.js";

const PROVIDER = "contact";

export interface ContactAccountSummary {
  id: string;
  contracts: { contractId: string; premiseId?: string; address?: string }[];
}

export interface ContactAccountDetail {
  id: string;
  /** The bill facts of this account (never absent: at least its id). */
  facts: ContactAccountFacts;
  contracts: { id: string; icp?: string; premiseId?: string; address?: string; product?: string; type?: string }[];
}

/** One answer of `GET /accounts/v2?ba=…`: every account in brief, and one account in detail. */
export interface ContactAccountsPage {
  accounts: ContactAccountSummary[];
  detail?: ContactAccountDetail;
}

const id = z.union([z.string().min(1), z.number()]).transform(String);
const text = z
  .string()
  .nullish()
  .transform((v) => v || undefined);

/**
 * Bill facts are read leniently: a value of an unexpected shape reads as absent rather than failing
 * the whole accounts answer, which also carries the contracts every sync needs.
 */
const lenientText = z
  .unknown()
  .transform((v) => (typeof v === "string" && v.trim() ? v.trim() : undefined))
  .optional();
const lenientNumber = z.unknown().transform((v) => {
  const n = typeof v === "number" ? v : typeof v === "string" && /^\s*[+-]?(\d+\.?\d*|\.\d+)\s*$/.test(v) ? Number(v) : Number.NaN;
  return Number.isFinite(n) ? n : undefined;
}).optional();
const lenientDate = z.unknown().transform((v) => (typeof v === "string" ? parseContactDate(v) : undefined)).optional();

/**
 * A calendar date as Contact writes it ("04 Dec 2023", also "4 December 2023" or ISO) as
 * YYYY-MM-DD, or undefined when it is none of those.
 */
export function parseContactDate(text: string): string | undefined {
  const t = text.trim();
  const iso = /^\d{4}-\d{2}-\d{2}/.test(t) ? DateTime.fromISO(t, { setZone: true }) : undefined;
  if (iso?.isValid) return iso.toISODate() ?? undefined;
  // "Sep" (en-US) or "Sept" (en-NZ, en-GB): both spellings are read.
  for (const locale of ["en-US", "en-NZ"]) {
    for (const format of ["d MMM yyyy", "d MMMM yyyy", "d/M/yyyy"]) {
      const d = DateTime.fromFormat(t, format, { locale, zone: CONTACT_TIME_ZONE });
      if (d.isValid) return d.toISODate() ?? undefined;
    }
  }
  return undefined;
}

const loginSchema = z.object({ token: z.string().min(1) });

const accountsSchema = z.object({
  accountsSummary: z
    .array(
      z.object({
        id,
        contracts: z
          .array(z.object({ contractId: id, premiseId: id.nullish(), address: text }))
          .nullish(),
      }),
    )
    .nullish(),
  accountDetail: z
    .object({
      id,
      nickname: lenientText,
      billingFrequency: lenientText,
      accountBalance: z.object({ currentBalance: lenientNumber }).nullish().catch(undefined),
      invoice: z.object({ amountDue: lenientNumber, amountPaid: lenientNumber, paymentDueDate: lenientDate }).nullish().catch(undefined),
      nextBill: z.object({ date: lenientDate }).nullish().catch(undefined),
      contracts: z
        .array(
          z.object({
            id,
            icp: text,
            premiseId: id.nullish(),
            address: text,
            product: z.union([z.string(), z.object({ name: text })]).nullish(),
            type: text,
          }),
        )
        .nullish(),
    })
    .nullish(),
});

/** Quantities in integer millionths, so that paid = total − free stays exact. */
const micro = z
  .union([z.number().finite(), z.string().trim().regex(/^[+-]?(\d+\.?\d*|\.\d+)$/, "expected a decimal number")])
  .transform((v) => Math.round(Number(v) * 1e6));
const optionalMicro = z.preprocess((v) => (v === "" ? null : v), micro.nullish());

const usageRecordSchema = z.object({
  date: z.string(),
  value: micro,
  unchargedValue: optionalMicro,
  offpeakValue: optionalMicro,
  dollarValue: optionalMicro,
  currency: text,
  hour: z.coerce.number().int().min(0).max(23).nullish(),
  timeZone: text,
});
type UsageRecord = z.output<typeof usageRecordSchema>;
const usageRecordsSchema = z.array(usageRecordSchema);

/** The session token of a `POST /login/v2` answer. */
export function parseLoginResponse(body: unknown): string {
  const parsed = loginSchema.safeParse(body);
  // Never quote a login answer: whatever it holds may be a token.
  if (!parsed.success) throw badResponse("login", "it has no token");
  return parsed.data.token;
}

export function parseAccountsResponse(body: unknown, secrets: readonly string[] = []): ContactAccountsPage {
  const parsed = accountsSchema.safeParse(body);
  if (!parsed.success) throw badResponse("accounts", describeIssue(parsed.error), body, secrets);
  const { accountsSummary, accountDetail } = parsed.data;
  const detail: ContactAccountDetail | undefined = accountDetail
    ? {
        id: accountDetail.id,
        facts: definedOnly({
          accountId: accountDetail.id,
          nickname: accountDetail.nickname,
          billingFrequency: accountDetail.billingFrequency,
          balance: accountDetail.accountBalance?.currentBalance,
          amountDue: accountDetail.invoice?.amountDue,
          amountPaid: accountDetail.invoice?.amountPaid,
          paymentDueDate: accountDetail.invoice?.paymentDueDate,
          nextBillDate: accountDetail.nextBill?.date,
        }),
        contracts: (accountDetail.contracts ?? []).map((c) =>
          definedOnly({
            id: c.id,
            icp: c.icp,
            premiseId: c.premiseId ?? undefined,
            address: c.address,
            product: typeof c.product === "string" ? c.product || undefined : c.product?.name,
            type: c.type,
          }),
        ),
      }
    : undefined;
  const accounts: ContactAccountSummary[] = accountsSummary
    ? accountsSummary.map((a) => ({
        id: a.id,
        contracts: (a.contracts ?? []).map((c) => definedOnly({ contractId: c.contractId, premiseId: c.premiseId ?? undefined, address: c.address })),
      }))
    : detail
      ? [{ id: detail.id, contracts: [] }]
      : [];
  return detail ? { accounts, detail } : { accounts };
}

/**
 * The contracts of one account. The ICP (which names our statistics) is only in the detail, so
 * contracts without one (broadband, for example) are not energy contracts and are left out; the
 * summary's premise and address win because the detail abridges them in captured samples.
 */
export function contractsOfAccount(summary: ContactAccountSummary, detail: ContactAccountDetail): ContactContract[] {
  return detail.contracts.flatMap((c) => {
    if (!c.icp) return [];
    const brief = summary.contracts.find((s) => s.contractId === c.id);
    return [
      definedOnly({
        accountId: detail.id,
        contractId: c.id,
        icp: c.icp,
        premiseId: brief?.premiseId ?? c.premiseId,
        address: brief?.address ?? c.address,
        product: c.product,
        type: c.type,
      }),
    ];
  });
}

/** The records of a `POST /usage/v2/…` answer; an empty array means "no data yet". */
export function parseUsageResponse(body: unknown, secrets: readonly string[] = []): ContactUsage[] {
  const records = Array.isArray(body) ? body : isUsageWrapper(body) ? body.usage : undefined;
  if (!records) throw badResponse("usage", "expected a list of records", body, secrets);
  const parsed = usageRecordsSchema.safeParse(records);
  if (!parsed.success) throw badResponse("usage", describeIssue(parsed.error), body, secrets);
  return parsed.data.map((record, index) => toUsage(record, index, body, secrets));
}

function toUsage(r: UsageRecord, index: number, body: unknown, secrets: readonly string[]): ContactUsage {
  const start = recordStart(r.date, r.timeZone);
  if (!start.isValid) throw badResponse("usage", `record ${index} has an unreadable date`, body, secrets);
  const free = r.unchargedValue ?? 0;
  return {
    start: Math.floor(start.toSeconds()),
    localDate: start.toISODate() ?? "",
    hour: r.hour ?? start.hour,
    totalKwh: r.value / 1e6,
    paidKwh: Math.max(0, r.value - free) / 1e6,
    freeKwh: free / 1e6,
    offpeakKwh: (r.offpeakValue ?? 0) / 1e6,
    cost: r.dollarValue == null ? null : r.dollarValue / 1e6,
    currency: r.currency ?? CONTACT_CURRENCY,
  };
}

/** A date with an offset is taken as is (its offset tells +13:00 from +12:00); one without is read in the record's zone. */
function recordStart(date: string, zone: string | undefined): DateTime {
  const hasOffset = /(?:[zZ]|[+-]\d{2}(?::?\d{2})?)$/.test(date) && date.includes("T");
  return hasOffset ? DateTime.fromISO(date, { setZone: true }) : DateTime.fromISO(date, { zone: zone ?? CONTACT_TIME_ZONE });
}

function isUsageWrapper(body: unknown): body is { usage: unknown[] } {
  return typeof body === "object" && body !== null && Array.isArray((body as { usage?: unknown }).usage);
}

function describeIssue(error: z.ZodError): string {
  const issue = error.issues[0];
  if (!issue) return "invalid";
  return issue.path.length > 0 ? `${issue.path.join(".")}: ${issue.message}` : issue.message;
}

function badResponse(what: string, problem: string, body?: unknown, secrets: readonly string[] = []): ProviderError {
  const quoted = typeof body === "string" ? body : (JSON.stringify(body) ?? "");
  const excerpt = bodyExcerpt(quoted, secrets);
  return new ProviderError({
    provider: PROVIDER,
    kind: "bad_response",
    message: `${PROVIDER}: could not read the ${what} answer (${problem})${excerpt ? `: "${excerpt}"` : ""}. If this persists, Contact's API may have changed; please report it.`,
    secrets,
  });
}

function definedOnly<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T;
}
