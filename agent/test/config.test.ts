// The agent refuses to start on a bad environment, naming every missing or bad variable and never the token.
import { describe, expect, it } from "vitest";
import { AgentConfigError, parseAgentConfig } from "../src/config/config.ts";
import { COMPOSE_CLIS_AUTO } from "../src/docker/compose.ts";

const TOKEN = `nca_${"a".repeat(43)}`;

describe("parseAgentConfig", () => {
  it("accepts an https edge and a well-formed token", () => {
    expect(parseAgentConfig({ NEBULA_EDGE_URL: "https://nebula.example.com", NEBULA_AGENT_TOKEN: TOKEN })).toEqual({
      edgeUrl: "https://nebula.example.com",
      token: TOKEN,
      dockerSocket: "/var/run/docker.sock",
      libvirtUri: "qemu:///system",
      stacks: new Map(),
      composeClis: COMPOSE_CLIS_AUTO,
      repos: new Map(),
      probes: [],
      probeTimeoutMs: 5000,
      gamingPauseProbes: new Set(),
    });
  });

  it("reads the Docker socket, libvirt URI and compose stacks", () => {
    const config = parseAgentConfig({
      NEBULA_EDGE_URL: "https://nebula.example.com",
      NEBULA_AGENT_TOKEN: TOKEN,
      DOCKER_SOCKET: "/run/podman/podman.sock",
      LIBVIRT_URI: "qemu+ssh://root@kvm/system",
      NEBULA_STACKS: " media=/srv/media , tools=/srv/stacks/tools/ ",
    });
    expect(config).toMatchObject({ dockerSocket: "/run/podman/podman.sock", libvirtUri: "qemu+ssh://root@kvm/system" });
    expect([...config.stacks]).toEqual([
      ["media", "/srv/media"],
      ["tools", "/srv/stacks/tools/"],
    ]);
  });

  it("tries the compose plugin then docker-compose, unless NEBULA_COMPOSE_CLI pins one", () => {
    const base = { NEBULA_EDGE_URL: "https://nebula.example.com", NEBULA_AGENT_TOKEN: TOKEN };
    expect(parseAgentConfig({ ...base, NEBULA_COMPOSE_CLI: "auto" }).composeClis).toEqual([
      { program: "docker", subcommand: ["compose"] },
      { program: "docker-compose", subcommand: [] },
    ]);
    expect(parseAgentConfig({ ...base, NEBULA_COMPOSE_CLI: " docker-compose " }).composeClis).toEqual([{ program: "docker-compose", subcommand: [] }]);
    expect(parseAgentConfig({ ...base, NEBULA_COMPOSE_CLI: "/usr/bin/docker  compose" }).composeClis).toEqual([{ program: "/usr/bin/docker", subcommand: ["compose"] }]);
    for (const bad of ["docker compose up", "sh -c docker-compose", "docker-compose;rm", "docker run"]) {
      expect(() => parseAgentConfig({ ...base, NEBULA_COMPOSE_CLI: bad })).toThrow(/NEBULA_COMPOSE_CLI: must be auto/);
    }
  });

  it("names each bad Docker, libvirt or stack setting", () => {
    try {
      parseAgentConfig({
        NEBULA_EDGE_URL: "https://nebula.example.com",
        NEBULA_AGENT_TOKEN: TOKEN,
        DOCKER_SOCKET: "docker.sock",
        LIBVIRT_URI: "system",
        NEBULA_STACKS: "media=srv/media,Tools=/srv/tools,nodir,games=/a,games=/b",
      });
      expect.unreachable();
    } catch (err) {
      expect((err as AgentConfigError).problems).toEqual([
        'DOCKER_SOCKET: must be an absolute path to the Docker socket (e.g. /var/run/docker.sock), got "docker.sock"',
        'LIBVIRT_URI: must be a libvirt connection URI such as qemu:///system, got "system"',
        'NEBULA_STACKS: the directory of "media" must be an absolute path, got "srv/media"',
        'NEBULA_STACKS: stack name "Tools" must be lowercase letters, digits, - or _ (at most 64)',
        'NEBULA_STACKS: "nodir" must be name=/absolute/dir (e.g. media=/srv/media)',
        'NEBULA_STACKS: stack "games" is listed twice',
      ]);
    }
  });

  it("reads service probes as name=kind:url, a bare URL being an http probe", () => {
    const config = parseAgentConfig({
      NEBULA_EDGE_URL: "https://nebula.example.com",
      NEBULA_AGENT_TOKEN: TOKEN,
      NEBULA_PROBES: "plex=plex:http://127.0.0.1:32400, ha=home-assistant:http://192.168.1.5:8123/ ,s3=minio:https://minio.lan,site=https://example.com/health,api=http:http://127.0.0.1:8080",
      NEBULA_PROBE_TIMEOUT_MS: "2500",
    });
    expect(config.probes).toEqual([
      { name: "plex", kind: "plex", url: "http://127.0.0.1:32400" },
      { name: "ha", kind: "home-assistant", url: "http://192.168.1.5:8123/" },
      { name: "s3", kind: "minio", url: "https://minio.lan" },
      { name: "site", kind: "http", url: "https://example.com/health" },
      { name: "api", kind: "http", url: "http://127.0.0.1:8080" },
    ]);
    expect(config.probeTimeoutMs).toBe(2500);
  });

  it("pauses during gaming the probes named like a container gaming mode stops, unless GAMING_PAUSE_PROBES names others or none", () => {
    const env = {
      NEBULA_EDGE_URL: "https://nebula.example.com",
      NEBULA_AGENT_TOKEN: TOKEN,
      NEBULA_PROBES: "plex=plex:http://127.0.0.1:32400,tautulli=http://127.0.0.1:8181,ha=home-assistant:http://127.0.0.1:8123",
      GAMING_STOP_CONTAINERS: "plex, ollama",
    };
    expect(parseAgentConfig(env).gamingPauseProbes).toEqual(new Set(["plex"]));
    expect(parseAgentConfig({ ...env, GAMING_PAUSE_PROBES: " plex , tautulli " }).gamingPauseProbes).toEqual(new Set(["plex", "tautulli"]));
    expect(parseAgentConfig({ ...env, GAMING_PAUSE_PROBES: "none" }).gamingPauseProbes).toEqual(new Set());
    expect(parseAgentConfig({ ...env, GAMING_STOP_CONTAINERS: undefined }).gamingPauseProbes).toEqual(new Set());
  });

  it("names each paused probe that NEBULA_PROBES does not list", () => {
    try {
      parseAgentConfig({
        NEBULA_EDGE_URL: "https://nebula.example.com",
        NEBULA_AGENT_TOKEN: TOKEN,
        NEBULA_PROBES: "plex=plex:http://127.0.0.1:32400",
        GAMING_PAUSE_PROBES: "plex,jellyfin",
      });
      expect.unreachable();
    } catch (err) {
      expect((err as AgentConfigError).problems).toEqual(['GAMING_PAUSE_PROBES: "jellyfin" is not a probe named in NEBULA_PROBES (or set "none" to pause no probe)']);
    }
  });

  it("names each bad probe without echoing its URL, and a timeout that would outlast the interval", () => {
    try {
      parseAgentConfig({
        NEBULA_EDGE_URL: "https://nebula.example.com",
        NEBULA_AGENT_TOKEN: TOKEN,
        NEBULA_PROBES: "http://user:hunter2@nas,Plex=plex:http://x,jf=jellyfin:http://x,ftp=ftp://x,a=plex:http://x,a=minio:http://y",
        NEBULA_PROBE_TIMEOUT_MS: "10000",
      });
      expect.unreachable();
    } catch (err) {
      expect((err as AgentConfigError).problems).toEqual([
        "NEBULA_PROBES: entry 1 must be name=kind:url with kind one of plex, home-assistant, minio, http (e.g. plex=plex:http://127.0.0.1:32400)",
        'NEBULA_PROBES: probe name "Plex" must be lowercase letters, digits, - or _ (at most 64)',
        'NEBULA_PROBES: "jf" must be kind:url with kind one of plex, home-assistant, minio, http and an http(s) URL of at most 500 characters (e.g. plex=plex:http://127.0.0.1:32400)',
        'NEBULA_PROBES: "ftp" must be kind:url with kind one of plex, home-assistant, minio, http and an http(s) URL of at most 500 characters (e.g. plex=plex:http://127.0.0.1:32400)',
        'NEBULA_PROBES: probe "a" is listed twice',
        'NEBULA_PROBE_TIMEOUT_MS: must be milliseconds from 100 to 9000, below the metrics interval (got "10000")',
      ]);
      expect((err as Error).message).not.toContain("hunter2");
    }
  });

  it("names both variables when both are missing", () => {
    try {
      parseAgentConfig({});
      expect.unreachable();
    } catch (err) {
      expect(err).toBeInstanceOf(AgentConfigError);
      const { problems } = err as AgentConfigError;
      expect(problems).toHaveLength(2);
      expect(problems[0]).toMatch(/^NEBULA_EDGE_URL is required/);
      expect(problems[1]).toMatch(/^NEBULA_AGENT_TOKEN is required/);
    }
  });

  it("explains a malformed URL or token without echoing the token", () => {
    const bad = "nca_tooshort-secret";
    try {
      parseAgentConfig({ NEBULA_EDGE_URL: "ftp://x", NEBULA_AGENT_TOKEN: bad });
      expect.unreachable();
    } catch (err) {
      const message = (err as Error).message;
      expect(message).toContain("NEBULA_EDGE_URL: must be an https://");
      expect(message).toContain("NEBULA_AGENT_TOKEN: must be `nca_`");
      expect(message).not.toContain(bad);
    }
  });
});
