// A host's power actions: Wake-on-LAN (this host's agent wakes another machine on its network; operators) and reboot
// (owners, confirmed by typing the hostname, since the agent itself goes down with it). Each is followed live.
import type { Job } from "@nebula/schema/api/jobs";
import { createSignal } from "solid-js";
import { Card } from "../../ui/card.tsx";
import { ConfirmActionDialog, createConfirmAction } from "../../ui/confirm-action.tsx";
import { createFollowedJob, FollowedJobPanel } from "./followed-job.tsx";
import { useHost } from "./host-context.tsx";
import { factsOf } from "./host-facts.ts";
import { JobButton } from "./job-ui.tsx";

type PowerAction = { kind: "host.wol" } | { kind: "host.reboot"; hostname: string };

const TITLES: Record<string, string> = { "host.wol": "Wake-on-LAN", "host.reboot": "Reboot" };

export function HostPowerCard() {
  const host = useHost();
  const followed = createFollowedJob();
  const [mac, setMac] = createSignal("");
  const [broadcast, setBroadcast] = createSignal("");
  const [typed, setTyped] = createSignal("");
  const hostname = () => factsOf(host.agent())?.hostname;
  const ask = createConfirmAction(
    (a: PowerAction) =>
      a.kind === "host.wol"
        ? followed.start("host.wol", { mac: mac().trim(), ...(broadcast().trim() ? { broadcast: broadcast().trim() } : {}) })
        : followed.start("host.reboot", { confirm: true }),
    () => [],
  );
  const open = (a: PowerAction) => {
    setTyped("");
    ask.ask(a);
  };
  const asked = () => ask.row();

  return (
    <Card
      title="Power"
      testId="host-power"
      description="Wake a machine on this host's network, or reboot this host (its agent reconnects after boot)."
      actions={
        <div class="form-actions">
          <JobButton kind="host.wol" label="Wake-on-LAN…" testId="host-wol" disabled={followed.running()} onClick={() => open({ kind: "host.wol" })} />
          <JobButton
            kind="host.reboot"
            label="Reboot…"
            class="btn btn-sm btn-ghost-danger"
            testId="host-reboot"
            disabled={followed.running() || !hostname() || !host.agent().connected}
            onClick={() => open({ kind: "host.reboot", hostname: hostname() ?? "" })}
          />
        </div>
      }
    >
      <FollowedJobPanel
        followed={followed}
        testId="power-job"
        title={(job: Job) => TITLES[job.kind] ?? job.kind}
        result={(job: Job) => (
          <p class="muted" data-testid="power-result">
            {job.kind === "host.wol" ? `Magic packet sent for ${(job.params as { mac?: string }).mac ?? "the machine"}.` : "The host is rebooting."}
          </p>
        )}
      />
      <ConfirmActionDialog
        action={ask}
        title={asked()?.kind === "host.reboot" ? "Reboot this host?" : "Wake a machine?"}
        confirmLabel={asked()?.kind === "host.reboot" ? "Reboot" : "Send magic packet"}
        confirmDisabled={(() => {
          const a = asked();
          return a?.kind === "host.reboot" ? typed().trim() !== a.hostname : !mac().trim();
        })()}
        message={(a) =>
          a.kind === "host.reboot" ? (
            <>
              <strong>{a.hostname}</strong> restarts: every container and VM on it stops, and so does its agent until the host is back. Type the
              hostname to confirm.
              <label class="field">
                <span>Hostname</span>
                <input class="input" name="reboot-hostname" autocomplete="off" value={typed()} onInput={(e) => setTyped(e.currentTarget.value)} />
              </label>
            </>
          ) : (
            <>
              This host's agent broadcasts a magic packet on its network; the machine with that network card powers on if it has Wake-on-LAN
              enabled.
              <label class="field">
                <span>MAC address</span>
                <input class="input" name="wol-mac" placeholder="aa:bb:cc:dd:ee:ff" autocomplete="off" value={mac()} onInput={(e) => setMac(e.currentTarget.value)} />
              </label>
              <label class="field">
                <span>Broadcast address (optional)</span>
                <input class="input" name="wol-broadcast" placeholder="255.255.255.255" autocomplete="off" value={broadcast()} onInput={(e) => setBroadcast(e.currentTarget.value)} />
              </label>
            </>
          )
        }
      />
    </Card>
  );
}
