// Pull an image onto this host (admins): the name is asked for in the confirmation, and the pull's layers are
// followed live under the Containers card.
import { createSignal } from "solid-js";
import { ConfirmActionDialog, createConfirmAction } from "../../ui/confirm-action.tsx";
import { createFollowedJob, FollowedJobPanel } from "./followed-job.tsx";
import { JobButton } from "./job-ui.tsx";
import type { JobResults } from "@nebula/schema/wire/job-results";

/** A large image over a slow link. */
const PULL_TIMEOUT_MS = 15 * 60_000;

export function createImagePull() {
  const followed = createFollowedJob();
  const [image, setImage] = createSignal("");
  const ask = createConfirmAction((_: "pull") => followed.start("docker.pull", { image: image().trim() }, PULL_TIMEOUT_MS), () => []);

  const button = () => <JobButton kind="docker.pull" label="Pull image…" testId="pull-image" disabled={followed.running()} onClick={() => ask.ask("pull")} />;

  const panel = () => (
    <>
      <FollowedJobPanel
        followed={followed}
        testId="pull-job"
        title={(job) => `Pull ${(job.params as { image?: string }).image ?? ""}`}
        result={(job) => <p class="muted" data-testid="pull-result">{(job.result as JobResults["docker.pull"]).status}</p>}
      />
      <ConfirmActionDialog
        action={ask}
        title="Pull an image?"
        confirmLabel="Pull"
        confirmDisabled={!image().trim()}
        message={() => (
          <>
            Docker on this host downloads the image (or its newer version) from its registry. Running containers keep the image they started with.
            <label class="field">
              <span>Image</span>
              <input class="input" name="pull-image" placeholder="ghcr.io/owner/app:1.2" autocomplete="off" value={image()} onInput={(e) => setImage(e.currentTarget.value)} />
            </label>
          </>
        )}
      />
    </>
  );
  return { button, panel };
}
