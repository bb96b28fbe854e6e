// The real agent installer, run by bash as `curl ... | sudo bash -s -- --enroll <code>` runs it, against a temp root
// (NEBULA_INSTALL_ROOT) with users and systemd left alone (NEBULA_INSTALL_SKIP_SYSTEM=1), and a local HTTP server
// playing the edge: it serves the bundled agent and answers /agent/enroll like the Worker does.
import { spawn, spawnSync } from "node:child_process";
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, statSync, symlinkSync, writeFileSync } from "node:fs";
import http from "node:http";
import type { AddressInfo } from "node:net";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { bundleAgent } from "../../agent/scripts/bundle.ts";
import { renderInstallScript } from "../../workers/src/enrollment/install-script.ts";

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
const TEMPLATE = readFileSync(path.join(repo, "agent/install/install.sh"), "utf8");
const GOOD_CODE = "ABCD-EFGH-JKMN-PQRS-TVWX";
const TOKEN = `nca_${"t".repeat(43)}`;
const AGENT_ID = "agt_0123456789abcdef";
const hasBash = spawnSync("bash", ["--version"]).status === 0;
const hasShellcheck = spawnSync("shellcheck", ["--version"]).status === 0;
const POLKIT_RULE = "etc/polkit-1/rules.d/50-nebula-agent.rules";

/** The edge, as far as the installer sees it. */
class FakeEdgeHttp {
  readonly enrollBodies: Record<string, unknown>[] = [];
  /** The Authorization header of each POST /agent/revoke. */
  readonly revokes: (string | undefined)[] = [];
  bundle = Buffer.from("");
  /** What GET /agent/nebula-agent.mjs answers with, when not the bundle (e.g. an HTML page). */
  bundleOverride: string | null = null;
  private readonly server = http.createServer((req, res) => this.handle(req, res));

  async start(): Promise<void> {
    await new Promise<void>((resolve) => this.server.listen(0, "127.0.0.1", resolve));
  }

  get url(): string {
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  close(): Promise<void> {
    return new Promise((resolve) => this.server.close(() => resolve()));
  }

  private handle(req: http.IncomingMessage, res: http.ServerResponse): void {
    if (req.method === "GET" && req.url === "/agent/nebula-agent.mjs") {
      res.writeHead(200, { "content-type": this.bundleOverride === null ? "text/javascript" : "text/html" });
      res.end(this.bundleOverride ?? this.bundle);
      return;
    }
    if (req.method === "POST" && req.url === "/agent/revoke") {
      // Like the Worker: the agent's own token revokes it once; anything else is 401.
      const revoked = req.headers.authorization === `Bearer ${TOKEN}` && !this.revokes.includes(req.headers.authorization);
      this.revokes.push(req.headers.authorization);
      res.writeHead(revoked ? 204 : 401, { "content-type": "application/json" });
      res.end(revoked ? undefined : JSON.stringify({ error: { code: "UNAUTHORIZED", message: "Invalid or revoked agent token", details: null, requestId: "r" } }));
      return;
    }
    if (req.method === "POST" && req.url === "/agent/enroll") {
      let body = "";
      req.on("data", (chunk) => (body += chunk));
      req.on("end", () => {
        const parsed = JSON.parse(body) as Record<string, unknown>;
        this.enrollBodies.push(parsed);
        if (parsed.code === GOOD_CODE) {
          res.writeHead(201, { "content-type": "application/json" });
          res.end(JSON.stringify({ agentId: AGENT_ID, token: TOKEN, edgeUrl: this.url }));
        } else {
          res.writeHead(404, { "content-type": "application/json" });
          res.end(JSON.stringify({ error: { code: "NOT_FOUND", message: "Unknown, used or expired enrollment code", details: null, requestId: "r" } }));
        }
      });
      return;
    }
    res.writeHead(404).end();
  }
}

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Pipes the served script into `bash -s -- <args>`, as the documented one-liner does. */
function runInstaller(edge: FakeEdgeHttp, root: string, args: string[], pathPrefix: string[] = []): Promise<Run> {
  const script = renderInstallScript(TEMPLATE, edge.url);
  const child = spawn("bash", ["-s", "--", ...args], {
    env: {
      PATH: [...pathPrefix, path.dirname(process.execPath), "/usr/local/bin", "/usr/bin", "/bin"].join(":"),
      HOME: root,
      NEBULA_INSTALL_ROOT: root,
      NEBULA_INSTALL_SKIP_SYSTEM: "1",
    },
    stdio: ["pipe", "pipe", "pipe"],
  });
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (chunk) => (stdout += chunk));
  child.stderr.on("data", (chunk) => (stderr += chunk));
  child.stdin.end(script);
  return new Promise((resolve) => child.on("close", (code) => resolve({ code, stdout, stderr })));
}

const existingGroups = ["docker", "libvirt"].filter((g) => spawnSync("getent", ["group", g]).status === 0);

describe.skipIf(!hasBash)(hasBash ? "install.sh" : "install.sh: skipped, bash is not installed on this machine", () => {
  const edge = new FakeEdgeHttp();
  let root: string;

  beforeAll(async () => {
    const { outfile } = await bundleAgent(path.join(mkdtempSync(path.join(os.tmpdir(), "nebula-bundle-")), "nebula-agent.mjs"));
    edge.bundle = readFileSync(outfile);
    await edge.start();
  }, 120_000);
  afterAll(() => edge.close());
  beforeEach(() => {
    root = mkdtempSync(path.join(os.tmpdir(), "nebula-install-root-"));
    edge.enrollBodies.length = 0;
    edge.revokes.length = 0;
    edge.bundleOverride = null;
  });

  it("installs the bundle, a 0600 env file with the token and a hardened unit, then uninstalls without a trace", async () => {
    const run = await runInstaller(edge, root, ["--enroll", GOOD_CODE]);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toContain(`Installed agent ${AGENT_ID}`);
    expect(run.stdout + run.stderr).not.toContain(TOKEN);
    expect(edge.enrollBodies).toEqual([{ code: GOOD_CODE, hostname: os.hostname(), os: process.platform, arch: process.arch }]);

    expect(readFileSync(path.join(root, "opt/nebula-agent/nebula-agent.mjs")).equals(edge.bundle)).toBe(true);

    const envFile = path.join(root, "etc/nebula-agent/env");
    expect(statSync(envFile).mode & 0o777).toBe(0o600);
    const env = readFileSync(envFile, "utf8");
    expect(env).toContain(`\nNEBULA_EDGE_URL=${edge.url}\n`);
    expect(env).toContain(`\nNEBULA_AGENT_TOKEN=${TOKEN}\n`);

    const unit = readFileSync(path.join(root, "etc/systemd/system/nebula-agent.service"), "utf8");
    for (const line of [
      "User=nebula-agent",
      "EnvironmentFile=/etc/nebula-agent/env",
      "Environment=MALLOC_MMAP_THRESHOLD_=16384 MALLOC_TRIM_THRESHOLD_=65536",
      `ExecStart=${realNode()} --max-semi-space-size=1 --lite-mode /opt/nebula-agent/nebula-agent.mjs`,
      "StateDirectory=nebula-agent",
      "Restart=always",
      "RestartSec=5",
      "RestartPreventExitStatus=78",
      "NoNewPrivileges=yes",
      "ProtectSystem=strict",
      "ProtectHome=yes",
      "PrivateTmp=yes",
      "ReadWritePaths=/var/lib/nebula-agent",
      "Environment=NEBULA_PRIVILEGED=systemd",
      "WantedBy=multi-user.target",
    ]) {
      expect(unit.split("\n")).toContain(line);
    }

    // The root actions: template units run by systemd, their helper, the polkit rule, and the env watcher.
    for (const [name, arg] of [["remount", "%f"], ["gpu-reset", "%i"], ["gpu-release", "%i"]]) {
      const rootUnit = readFileSync(path.join(root, `etc/systemd/system/nebula-agent-${name}@.service`), "utf8").split("\n");
      expect(rootUnit).toContain("Type=oneshot");
      expect(rootUnit).toContain(`ExecStart=/opt/nebula-agent/nebula-agent-privileged ${name} ${arg}`);
      expect(rootUnit.some((l) => l.startsWith("User="))).toBe(false);
    }
    expect(statSync(path.join(root, "opt/nebula-agent/nebula-agent-privileged")).mode & 0o777).toBe(0o755);
    expect(statSync(path.join(root, POLKIT_RULE)).mode & 0o777).toBe(0o644);
    expect(readFileSync(path.join(root, "etc/systemd/system/nebula-agent-paths.path"), "utf8").split("\n")).toContain("PathChanged=/etc/nebula-agent/env");
    expect(readFileSync(path.join(root, "etc/systemd/system/nebula-agent-paths.service"), "utf8").split("\n")).toContain(
      "ExecStart=/opt/nebula-agent/nebula-agent-privileged paths --apply",
    );
    expect(readFileSync(path.join(root, "etc/systemd/system/nebula-agent.service.d/50-paths.conf"), "utf8")).toContain("[Service]");
    // Only the groups this machine has: systemd refuses to start a unit naming a missing one.
    if (existingGroups.length) expect(unit.split("\n")).toContain(`SupplementaryGroups=${existingGroups.join(" ")}`);
    else expect(unit).not.toContain("SupplementaryGroups=");

    const removed = await runInstaller(edge, root, ["--uninstall"]);
    expect(removed.code, removed.stderr).toBe(0);
    // The credential went back to the edge before the env file holding it was deleted.
    expect(edge.revokes).toEqual([`Bearer ${TOKEN}`]);
    expect(removed.stdout).toContain("Revoked: the edge closed this agent's connection");
    expect(removed.stderr).toBe("");
    expect(removed.stdout + removed.stderr).not.toContain(TOKEN);
    for (const gone of ["opt/nebula-agent", "etc/nebula-agent", "var/lib/nebula-agent", "etc/systemd/system/nebula-agent.service", POLKIT_RULE]) {
      expect(existsSync(path.join(root, gone)), gone).toBe(false);
    }
    // Nothing of the agent's is left among the units (the polkit rules directory itself is the system's).
    expect(readdirSync(path.join(root, "etc/systemd/system"))).toEqual([]);
  });

  it("opens the sandbox for configured repositories and stacks, under /home through ProtectHome=tmpfs", async () => {
    expect((await runInstaller(edge, root, ["--enroll", GOOD_CODE])).code).toBe(0);
    const envFile = path.join(root, "etc/nebula-agent/env");
    writeFileSync(
      envFile,
      `${readFileSync(envFile, "utf8")}NEBULA_REPOS=site=/srv/site,blog=/home/me/blog/,odd=/srv/a%b\nNEBULA_STACKS="media=/home/me/media,tools=/opt/tools"\n`,
    );
    // What nebula-agent-paths.service runs when the env file changes (without --apply: no systemd here).
    const run = helper(root, ["paths"]);
    expect(run.status, run.stderr).toBe(0);
    expect(run.stderr).toContain("skipped NEBULA_REPOS path /srv/a%b");
    expect(readFileSync(path.join(root, "etc/systemd/system/nebula-agent.service.d/50-paths.conf"), "utf8").split("\n").slice(1)).toEqual([
      "[Service]",
      "ProtectHome=tmpfs",
      "ReadWritePaths=-/srv/site",
      "BindPaths=-/home/me/blog",
      "BindReadOnlyPaths=-/home/me/media",
      "",
    ]);
  });

  it("runs a root action only for what the env file configures", async () => {
    expect((await runInstaller(edge, root, ["--enroll", GOOD_CODE])).code).toBe(0);
    const envFile = path.join(root, "etc/nebula-agent/env");
    writeFileSync(envFile, `${readFileSync(envFile, "utf8")}GPU_PCI_ADDRESS=0000:01:00.0\nNEBULA_MOUNTS=media=/mnt/media share,root=/\n`);
    const sysfs = path.join(root, "sys");
    const device = path.join(sysfs, "bus/pci/devices/0000:01:00.0");
    mkdirSync(device, { recursive: true });
    writeFileSync(path.join(device, "remove"), "");
    writeFileSync(path.join(sysfs, "bus/pci/rescan"), "");
    const env = { SYSFS_ROOT: sysfs };

    for (const address of ["0000:02:00.0", "../../../dev/sda", "0000:01:00.0 x"]) {
      const refused = helper(root, ["gpu-reset", address], env);
      expect(refused.status, address).toBe(2);
      expect(refused.stderr).toContain("refused");
    }
    expect(readFileSync(path.join(sysfs, "bus/pci/rescan"), "utf8")).toBe("");
    const reset = helper(root, ["gpu-reset", "0000:01:00.0"], env);
    expect(reset.status, reset.stderr).toBe(0);
    expect([readFileSync(path.join(device, "remove"), "utf8"), readFileSync(path.join(sysfs, "bus/pci/rescan"), "utf8")]).toEqual(["1\n", "1\n"]);

    // Remount: fstab decides, never the agent; mount and umount are fakes that record their argv.
    mkdirSync(path.join(root, "proc/self"), { recursive: true });
    writeFileSync(path.join(root, "proc/self/mountinfo"), "36 1 8:2 / / rw - ext4 /dev/sda2 rw\n90 36 0:50 / /mnt/media\\040share rw - cifs //nas/media rw\n");
    writeFileSync(path.join(root, "etc/fstab"), "/dev/sda2 / ext4 defaults 0 1\n//nas/media /mnt/media\\040share cifs credentials=/etc/nas 0 0\n//nas/other /mnt/other cifs defaults 0 0\n");
    const bin = mkdtempSync(path.join(os.tmpdir(), "nebula-fake-mount-"));
    const log = path.join(bin, "calls");
    for (const program of ["mount", "umount"]) {
      writeFileSync(path.join(bin, program), `#!/bin/sh\necho "${program} $*" >> '${log}'\n`);
      chmodSync(path.join(bin, program), 0o755);
    }
    const mountEnv = { PROC_ROOT: path.join(root, "proc"), PATH: `${bin}:/usr/bin:/bin` };
    expect(helper(root, ["remount", "/"], mountEnv)).toMatchObject({ status: 2, stderr: expect.stringContaining("/ is ext4 in /etc/fstab, not a network share") });
    expect(helper(root, ["remount", "/mnt/other"], mountEnv)).toMatchObject({ status: 2, stderr: expect.stringContaining("not in NEBULA_MOUNTS") });
    expect(existsSync(log)).toBe(false);
    const remount = helper(root, ["remount", "/mnt/media share"], mountEnv);
    expect(remount.status, remount.stderr).toBe(0);
    expect(readFileSync(log, "utf8")).toBe("umount -l /mnt/media share\nmount /mnt/media share\n");
  });

  it("lets nebula-agent start exactly its root units and reboot, and leaves everything else to polkit", async () => {
    expect((await runInstaller(edge, root, ["--enroll", GOOD_CODE])).code).toBe(0);
    const allowed = polkitRule(readFileSync(path.join(root, POLKIT_RULE), "utf8"));
    const units = (unit: string, verb = "start", user = "nebula-agent") => allowed("org.freedesktop.systemd1.manage-units", user, { unit, verb });

    for (const unit of ["nebula-agent-remount@mnt-media\\x20share.service", "nebula-agent-gpu-reset@0000:01:00.0.service", "nebula-agent-gpu-release@0000:01:00.0.service"]) {
      expect(units(unit), unit).toBe("yes");
      for (const verb of ["stop", "restart", "reload", "try-restart", "enable"]) expect(units(unit, verb), `${verb} ${unit}`).toBe("not_handled");
      expect(units(unit, "start", "alice"), `alice: ${unit}`).toBe("not_handled");
    }
    for (const unit of [
      "nebula-agent.service",
      "sshd.service",
      "nebula-agent-remount@.service",
      "nebula-agent-gpu-reset@0000:01:00.0.service.d",
      "nebula-agent-gpu-reset@sda.service",
      "nebula-agent-gpu-release@0000:01:00.0;x.service",
      "xnebula-agent-remount@mnt.service",
      "nebula-agent-remount@mnt.service/../sshd.service",
    ]) {
      expect(units(unit), unit).toBe("not_handled");
    }
    for (const action of ["org.freedesktop.login1.reboot", "org.freedesktop.login1.reboot-multiple-sessions"]) {
      expect(allowed(action, "nebula-agent", {}), action).toBe("yes");
      expect(allowed(action, "alice", {}), action).toBe("not_handled");
    }
    for (const action of ["org.freedesktop.login1.power-off", "org.freedesktop.systemd1.manage-unit-files", "org.freedesktop.systemd1.reload-daemon"]) {
      expect(allowed(action, "nebula-agent", { unit: "nebula-agent-remount@mnt.service", verb: "start" }), action).toBe("not_handled");
    }
  });

  it("still uninstalls when the edge is unreachable, and says to remove the host in the dashboard", async () => {
    expect((await runInstaller(edge, root, ["--enroll", GOOD_CODE])).code).toBe(0);
    const envFile = path.join(root, "etc/nebula-agent/env");
    // The agent's edge has gone away: a port nothing listens on.
    const closed = http.createServer();
    await new Promise<void>((resolve) => closed.listen(0, "127.0.0.1", resolve));
    const deadUrl = `http://127.0.0.1:${(closed.address() as AddressInfo).port}`;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    writeFileSync(envFile, readFileSync(envFile, "utf8").replace(`NEBULA_EDGE_URL=${edge.url}`, `NEBULA_EDGE_URL=${deadUrl}`));

    const removed = await runInstaller(edge, root, ["--uninstall"]);
    expect(removed.code, removed.stderr).toBe(0);
    expect(edge.revokes).toEqual([]);
    expect(removed.stderr).toContain(`could not reach ${deadUrl} to revoke the credential`);
    expect(removed.stderr).toContain("remove this host in the dashboard (Agents)");
    expect(removed.stdout + removed.stderr).not.toContain(TOKEN);
    for (const gone of ["opt/nebula-agent", "etc/nebula-agent", "var/lib/nebula-agent", "etc/systemd/system/nebula-agent.service"]) {
      expect(existsSync(path.join(root, gone)), gone).toBe(false);
    }
  });

  it("uninstalls quietly when there is no credential left, and treats an already revoked one as gone", async () => {
    const none = await runInstaller(edge, root, ["--uninstall"]);
    expect(none.code, none.stderr).toBe(0);
    expect(none.stdout).toContain("nothing to revoke");
    expect(edge.revokes).toEqual([]);

    expect((await runInstaller(edge, root, ["--enroll", GOOD_CODE])).code).toBe(0);
    edge.revokes.push(`Bearer ${TOKEN}`); // revoked in the dashboard already
    const removed = await runInstaller(edge, root, ["--uninstall"]);
    expect(removed.code, removed.stderr).toBe(0);
    expect(removed.stdout).toContain("already revoked");
    expect(removed.stderr).toBe("");
  });

  it("stops at a refused code with the edge's reason, and writes nothing", async () => {
    const run = await runInstaller(edge, root, ["--enroll", "ZZZZ-ZZZZ-ZZZZ-ZZZZ-ZZZZ"]);
    expect(run.code).not.toBe(0);
    expect(run.stderr).toContain("enrollment refused (HTTP 404): Unknown, used or expired enrollment code");
    expect(readdirSync(root)).toEqual([]);
  });

  it("does not spend the code when the download is not the agent", async () => {
    edge.bundleOverride = "<!doctype html><title>Nebula</title>";
    const run = await runInstaller(edge, root, ["--enroll", GOOD_CODE]);
    expect(run.code).not.toBe(0);
    expect(run.stderr).toContain("not valid JavaScript");
    expect(edge.enrollBodies).toEqual([]);
    expect(readdirSync(root)).toEqual([]);
  });

  it("names the Node it needs, and how to get it, when node is too old", async () => {
    const fakeBin = mkdtempSync(path.join(os.tmpdir(), "nebula-old-node-"));
    const fakeNode = path.join(fakeBin, "node");
    writeFileSync(fakeNode, '#!/bin/sh\n[ "$1" = "--version" ] && echo v20.11.0 && exit 0\nexit 1\n');
    chmodSync(fakeNode, 0o755);
    const run = await runInstaller(edge, root, ["--enroll", GOOD_CODE], [fakeBin]);
    expect(run.code).not.toBe(0);
    expect(run.stderr).toContain("Node.js >= 22 is required, found v20.11.0");
    expect(run.stderr).toContain("https://deb.nodesource.com/setup_22.x");
    expect(edge.enrollBodies).toEqual([]);
    expect(readdirSync(root)).toEqual([]);
  });

  it("refuses a snap Node before running it, naming NodeSource/apt instead of blaming the download", async () => {
    // Snap's layout: /snap/bin/node is a symlink to /usr/bin/snap, the setuid launcher that picks the app by argv[0].
    // This launcher works (it runs the real node), so only the installer's own check can stop the install.
    const fakeRoot = mkdtempSync(path.join(os.tmpdir(), "nebula-snap-node-"));
    mkdirSync(path.join(fakeRoot, "usr/bin"), { recursive: true });
    mkdirSync(path.join(fakeRoot, "snap/bin"), { recursive: true });
    writeFileSync(path.join(fakeRoot, "usr/bin/snap"), `#!/bin/sh\nexec '${process.execPath}' "$@"\n`);
    chmodSync(path.join(fakeRoot, "usr/bin/snap"), 0o755);
    symlinkSync("../../usr/bin/snap", path.join(fakeRoot, "snap/bin/node"));

    const run = await runInstaller(edge, root, ["--enroll", GOOD_CODE], [path.join(fakeRoot, "snap/bin")]);
    expect(run.code).not.toBe(0);
    expect(run.stderr).toContain(`node is the snap package (${path.join(fakeRoot, "snap/bin/node")} -> ${path.join(fakeRoot, "usr/bin/snap")})`);
    expect(run.stderr).toContain("NoNewPrivileges=yes");
    expect(run.stderr).toContain("sudo snap remove node");
    expect(run.stderr).toContain("https://deb.nodesource.com/setup_22.x");
    expect(run.stderr).not.toContain("not valid JavaScript");
    expect(edge.enrollBodies).toEqual([]);
    expect(readdirSync(root)).toEqual([]);
  });

  it.skipIf(!hasShellcheck)("passes shellcheck, and so does the root helper it installs (when installed: apt-get install shellcheck)", async () => {
    const check = spawnSync("shellcheck", [path.join(repo, "agent/install/install.sh")], { encoding: "utf8" });
    expect(check.stdout).toBe("");
    expect(check.status).toBe(0);
    expect((await runInstaller(edge, root, ["--enroll", GOOD_CODE])).code).toBe(0);
    const helperCheck = spawnSync("shellcheck", [path.join(root, "opt/nebula-agent/nebula-agent-privileged")], { encoding: "utf8" });
    expect(helperCheck.stdout).toBe("");
    expect(helperCheck.status).toBe(0);
  });

  it("explains its usage when given no action", async () => {
    const run = await runInstaller(edge, root, []);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain("--enroll <code>");
  });
});

/** The installed root helper, run as its units run it (as root here too), against the temp root. */
function helper(root: string, args: string[], env: Record<string, string> = {}) {
  return spawnSync("bash", [path.join(root, "opt/nebula-agent/nebula-agent-privileged"), ...args], {
    encoding: "utf8",
    env: { PATH: "/usr/local/bin:/usr/bin:/bin", NEBULA_INSTALL_ROOT: root, ...env },
  });
}

/**
 * Evaluates a polkit rules file the way polkitd does: the file calls polkit.addRule(fn) and polkitd asks
 * fn(action, subject) per request. Answers "yes", "no" or "not_handled" (fell through to polkit's defaults).
 */
function polkitRule(source: string) {
  const rules: ((action: unknown, subject: unknown) => unknown)[] = [];
  const Result = { YES: "yes", NO: "no", NOT_HANDLED: "not_handled" } as const;
  new Function("polkit", source)({ Result, addRule: (rule: (action: unknown, subject: unknown) => unknown) => rules.push(rule) });
  expect(rules).toHaveLength(1);
  return (id: string, user: string, details: Record<string, string>) => {
    const answer = rules[0]?.({ id, lookup: (key: string) => details[key] }, { user, isInGroup: () => false, local: false, active: false });
    return answer === undefined ? "not_handled" : answer;
  };
}

function realNode(): string {
  return spawnSync("readlink", ["-f", process.execPath], { encoding: "utf8" }).stdout.trim();
}
