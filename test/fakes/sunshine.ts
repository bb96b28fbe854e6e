// Sunshine's web UI (port 47990 in the gaming VM) as gaming mode's health check sees it: a real HTTPS server with
// a self-signed certificate, like the one Sunshine generates, that answers 401 (login required) like an
// unauthenticated request to the real thing. Until it "has booted" it drops each connection unanswered.
import type { AddressInfo, Socket } from "node:net";
import http from "node:http";
import https from "node:https";

/** Self-signed P-256 certificate for 127.0.0.1/localhost, valid to 2126; a test fixture, not a secret. */
const CERT = `-----BEGIN CERTIFICATE-----
MIIBojCCAUmgAwIBAgIUJMgVkDyGwl5ePeg/5NpirR1OphEwCgYIKoZIzj0EAwIw
GDEWMBQGA1UEAwwNc3Vuc2hpbmUudGVzdDAgFw0yNjExMjUxNTAzMzBaGA8yMTI2
MTEwMTE1MDMzMFowGDEWMBQGA1UEAwwNc3Vuc2hpbmUudGVzdDBZMBMGByqGSM49
AgEGCCqGSM49AwEHA0IABEwL7JjckNsbjPelB50DrQfFMp/6zYp/YYbCeyT8r4UD
Iyax4sDBBJlhBI6Y2IlG4VghWdpIbsE9n7Rj8mOy1mOjbzBtMB0GA1UdDgQWBBQz
eKoNfnvHYaJ0Rzd+jjI8eVKTVzAfBgNVHSMEGDAWgBQzeKoNfnvHYaJ0Rzd+jjI8
eVKTVzAPBgNVHRMBAf8EBTADAQH/MBoGA1UdEQQTMBGHBH8AAAGCCWxvY2FsaG9z
dDAKBggqhkjOPQQDAgNHADBEAiBFGXseZfzT/vka6oDhpzb8h79dx6Vy4sd1WiAZ
p1nL3wIgFHfGSPnxXOdsd+2SRsvS+BqQqQ62kvqtEv8ZGgRdwfA=
-----END CERTIFICATE-----
`;
const KEY = `-----BEGIN PRIVATE KEY-----
MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQgqxc2cCUvkqEa/xaO
SPlGWtZmi+R5JLIa+vgA6GoVGyehRANCAARMC+yY3JDbG4z3pQedA60HxTKf+s2K
f2GGwnsk/K+FAyMmseLAwQSZYQSOmNiJRuFYIVnaSG7BPZ+0Y/JjstZj
-----END PRIVATE KEY-----
`;

export interface FakeSunshineOptions {
  /** Connections dropped unanswered before the first answer; "never" keeps dropping them. */
  answerAfterPolls: number | "never";
  /** Plain HTTP instead of HTTPS. */
  plain?: boolean;
}

export interface FakeSunshine {
  url: string;
  /** Requests seen so far, answered or not. */
  readonly polls: number;
  close(): Promise<void>;
}

export async function startFakeSunshine(options: FakeSunshineOptions): Promise<FakeSunshine> {
  let polls = 0;
  const sockets = new Set<Socket>();
  const handler: http.RequestListener = (req, res) => {
    polls++;
    if (options.answerAfterPolls === "never" || polls <= options.answerAfterPolls) {
      req.socket.destroy(); // not up yet: the client sees a reset, never an HTTP answer
      return;
    }
    res.writeHead(401, { "www-authenticate": 'Basic realm="Sunshine Gamestream Host", charset="UTF-8"', "content-type": "text/html" });
    res.end("<h1>401 Unauthorized</h1>");
  };
  const server = options.plain ? http.createServer(handler) : https.createServer({ cert: CERT, key: KEY }, handler);
  server.on("connection", (socket: Socket) => {
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `${options.plain ? "http" : "https"}://127.0.0.1:${port}/`,
    get polls() {
      return polls;
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}
