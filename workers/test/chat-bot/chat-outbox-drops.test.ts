// Helix Send Chat Message answers 200 with is_sent:false and a drop_reason when Twitch refuses a message; the real
// ChatOutbox reads it: a msg_ratelimit drop backs off (the message waits for the object's alarm) and is then sent
// once; a msg_duplicate drop is discarded, never retried (Twitch refuses the same text twice within 30 s).
import { runDurableObjectAlarm, runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { type ChatOutbox, OUTBOX_CLOCK_OFFSET_KEY, chatOutboxName } from "../../src/chat-bot/chat-outbox.ts";
import { TWITCH, api, chatAndWait, env, fake, seedChatLab, sentTo } from "./chat-bot-harness.ts";

async function labWithCommand(drop: string) {
  const lab = await seedChatLab();
  expect((await api(lab, "POST", "/commands", { name: "drop", response: "answer for {user}", globalCooldownSeconds: 0 })).status).toBe(201);
  await fake(TWITCH, "/__control/twitch/chat-drop", { sender_id: lab.botId, code: drop });
  const outbox = env.CHAT_OUTBOX.getByName(chatOutboxName({ platform: "twitch", botUserId: lab.botId }));
  return { lab, outbox };
}

describe("ChatOutbox and Helix drop_reason", () => {
  it("msg_ratelimit → backs off until its alarm, then the reply is sent once", async () => {
    const { lab, outbox } = await labWithCommand("msg_ratelimit");
    await chatAndWait(lab, { text: "!drop", login: "patient" });

    // Dropped once, not retried at once: the reply waits in the outbox for the alarm after the backoff.
    expect((await sentTo(lab)).map((m) => ({ is_sent: m.is_sent, drop_code: m.drop_code }))).toEqual([{ is_sent: false, drop_code: "msg_ratelimit" }]);
    const waiting = await runInDurableObject(outbox, async (o: ChatOutbox, state) => ({ stats: await o.stats(), alarm: await state.storage.getAlarm() }));
    expect(waiting.stats).toMatchObject({ sent: 0, pending: 1, discarded: [] });
    expect(waiting.alarm).not.toBeNull();

    // The first backoff (2 s) has passed, well inside the minute a reply stays an answer: the object's clock moves
    // instead of the test waiting, and the alarm fires (should its own time come first, it has already run).
    await runInDurableObject(outbox, async (_o: ChatOutbox, state) => state.storage.kv.put(OUTBOX_CLOCK_OFFSET_KEY, 5_000));
    await runDurableObjectAlarm(outbox);

    const attempts = await sentTo(lab);
    expect(attempts.map((m) => ({ is_sent: m.is_sent, drop_code: m.drop_code, message: m.message }))).toEqual([
      { is_sent: false, drop_code: "msg_ratelimit", message: "answer for patient" },
      { is_sent: true, drop_code: null, message: "answer for patient" },
    ]);
    expect(await outbox.stats()).toMatchObject({ sent: 1, pending: 0, discarded: [] });
  });

  it("msg_duplicate → discarded, never retried", async () => {
    const { lab, outbox } = await labWithCommand("msg_duplicate");
    await chatAndWait(lab, { text: "!drop", login: "echo" });

    expect(await outbox.stats()).toMatchObject({ sent: 0, pending: 0, discarded: [{ code: "msg_duplicate", text: "answer for echo" }] });
    expect(await runDurableObjectAlarm(outbox)).toBe(false);
    expect((await sentTo(lab)).map((m) => ({ is_sent: m.is_sent, drop_code: m.drop_code }))).toEqual([{ is_sent: false, drop_code: "msg_duplicate" }]);
  });
});
