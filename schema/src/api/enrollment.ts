// Wire shapes of agent enrollment: an admin makes a short single-use code, the installer trades it for an agent token.
import { z } from "zod";

const isoDate = z.iso.datetime({ offset: true });

export const CreateEnrollmentRequest = z.strictObject({ name: z.string().trim().min(1).max(80) });
/** `code` appears in this response only; the edge keeps its SHA-256 for 15 minutes, then forgets it. */
export const CreatedEnrollment = z.object({ code: z.string(), expiresAt: isoDate, installCommand: z.string() });
export type CreatedEnrollment = z.infer<typeof CreatedEnrollment>;

/** What install.sh posts to /agent/enroll. The code is checked by lookup, not by pattern here: any wrong code is the same 404. */
export const EnrollRequest = z.strictObject({
  code: z.string().max(64),
  hostname: z.string().trim().min(1).max(253),
  os: z.string().trim().min(1).max(32),
  arch: z.string().trim().min(1).max(32),
});
export type EnrollRequest = z.infer<typeof EnrollRequest>;
/** `token` appears in this response only: the installer writes it to the agent's env file. */
export const Enrolled = z.object({ agentId: z.string(), token: z.string(), edgeUrl: z.string() });
export type Enrolled = z.infer<typeof Enrolled>;
