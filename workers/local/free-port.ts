// Picks a free loopback port for a server that binds it later (the local stack, whose URL the fakes must
// know first). It draws from below the kernel's ephemeral range: a port from listen(0) lies inside that
// range, where any outgoing connection on the machine may take it between our probe and the real bind
// (CI saw "Address already in use" that way with two test workers).
import { readFileSync } from "node:fs";
import net from "node:net";

const FALLBACK_EPHEMERAL_LOW = 32768;
const LOWEST = 10000;

function ephemeralLow(): number {
  try {
    const low = Number(readFileSync("/proc/sys/net/ipv4/ip_local_port_range", "utf8").trim().split(/\s+/)[0]);
    return Number.isInteger(low) && low > LOWEST + 1000 ? low : FALLBACK_EPHEMERAL_LOW;
  } catch {
    return FALLBACK_EPHEMERAL_LOW;
  }
}

function probe(port: number): Promise<number | null> {
  return new Promise((resolve) => {
    const srv = net.createServer();
    srv.once("error", () => resolve(null));
    srv.listen(port, "127.0.0.1", () => {
      const addr = srv.address();
      const bound = typeof addr === "object" && addr ? addr.port : null;
      srv.close(() => resolve(bound));
    });
  });
}

export async function freePort(): Promise<number> {
  const high = ephemeralLow();
  for (let attempt = 0; attempt < 50; attempt++) {
    const port = await probe(LOWEST + Math.floor(Math.random() * (high - LOWEST)));
    if (port !== null) return port;
  }
  const any = await probe(0);
  if (any === null) throw new Error("no free loopback port");
  return any;
}
