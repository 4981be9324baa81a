import { z } from "zod";
import { isTimeZone } from "../text/zoned-time.ts";

// Freeze windows in `.github/kustodian.yml`: absolute ranges and recurring weekly windows, in an
// IANA time zone, for some environments or all. The decision is src/delivery/freezes.ts.

const clock = /^([01]\d|2[0-3]):[0-5]\d$|^24:00$/;
/** `2026-12-24`, `2026-12-24T18:00` (local, in timeZone) or an instant with `Z` / an offset. */
const dateTime = /^\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2})?)?(?:Z|[+-]\d{2}:\d{2})?$/;

export const weekdayNames = ["sun", "mon", "tue", "wed", "thu", "fri", "sat"] as const;

const LocalDateTime = z
  .string({ error: "expected a date and time such as 2026-12-24T18:00 (local) or 2026-12-24T17:00Z" })
  .regex(dateTime, { error: "expected a date and time such as 2026-12-24T18:00 (local) or 2026-12-24T17:00Z" });

export const FreezeWindow = z
  .strictObject({
    /** Shown on the failing check. */
    reason: z.string({ error: "expected the reason for the freeze" }).min(1).max(300),
    /** Environments it freezes; all when absent. */
    environments: z
      .array(z.string().regex(/^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/, { error: "expected an environment name" }))
      .min(1)
      .optional(),
    /** IANA time zone of `from`/`to` and of weekly times; default UTC. */
    timeZone: z.string().refine(isTimeZone, { error: "expected an IANA time zone such as Europe/Berlin" }).default("UTC"),
    from: LocalDateTime.optional(),
    to: LocalDateTime.optional(),
    /** Every week on `days`, from `from` to `to` local time; `to` at or before `from` ends the next day. */
    weekly: z
      .strictObject({
        days: z.array(z.enum(weekdayNames, { error: "expected a day: mon, tue, wed, thu, fri, sat or sun" })).min(1),
        from: z.string().regex(clock, { error: "expected a time such as 18:00" }),
        to: z.string().regex(clock, { error: "expected a time such as 08:00 (24:00 for midnight)" }),
      })
      .optional(),
  })
  .superRefine((w, ctx) => {
    const absolute = w.from !== undefined || w.to !== undefined;
    if (absolute && w.weekly) ctx.addIssue({ code: "custom", message: "expected either from/to or weekly, not both", path: ["weekly"] });
    else if (!absolute && !w.weekly) ctx.addIssue({ code: "custom", message: "expected from and to, or weekly", path: ["from"] });
    else if (absolute && (w.from === undefined || w.to === undefined))
      ctx.addIssue({ code: "custom", message: "expected both from and to", path: [w.from === undefined ? "from" : "to"] });
  });
export type FreezeWindow = z.infer<typeof FreezeWindow>;
