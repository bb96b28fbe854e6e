// The delivery log: one row per verified delivery and the feed's "last delivery", written after GitHub was answered.
import { type api, githubDeliveries, githubFeeds, newId } from "@nebula/schema";
import { eq } from "drizzle-orm";
import type { Db } from "../db/client.ts";
import type { HookMaterial } from "./hook-material.ts";

export interface DeliveryRecord {
  deliveryId: string;
  event: string;
  status: api.GithubDeliveryStatus;
  action?: string | null | undefined;
  repository?: string | null | undefined;
  detail: string | null;
  at: Date;
}

/** Idempotent on (feed, delivery id): a redelivery of a handled delivery is not logged twice. */
export async function recordDelivery(db: Db, material: Pick<HookMaterial, "feedId" | "tenantId">, d: DeliveryRecord): Promise<void> {
  await db.transaction(async (tx) => {
    await tx
      .insert(githubDeliveries)
      .values({
        id: newId("githubDelivery"),
        tenantId: material.tenantId,
        feedId: material.feedId,
        deliveryId: d.deliveryId,
        event: d.event.slice(0, 60),
        action: d.action ?? null,
        repository: d.repository ?? null,
        status: d.status,
        detail: d.detail?.slice(0, 2000) ?? null,
        receivedAt: d.at,
      })
      .onConflictDoNothing();
    await tx.update(githubFeeds).set({ lastDeliveryAt: d.at, lastDeliveryEvent: d.event.slice(0, 60), lastDeliveryStatus: d.status }).where(eq(githubFeeds.id, material.feedId));
  });
}
