// Wake-on-LAN: the magic packet (6 x 0xFF, then the MAC 16 times) sent as one UDP datagram, normally broadcast.
import dgram from "node:dgram";

export function magicPacket(mac: string): Buffer {
  const hex = mac.replace(/[:-]/g, "");
  if (!/^[0-9a-f]{12}$/i.test(hex)) throw new Error(`not a MAC address: ${mac}`);
  const macBytes = Buffer.from(hex, "hex");
  const packet = Buffer.alloc(6 + 16 * 6, 0xff);
  for (let i = 0; i < 16; i++) macBytes.copy(packet, 6 + i * 6);
  return packet;
}

/** Resolves once the datagram has left the socket; UDP gives no word on whether the machine woke. */
export async function sendMagicPacket(mac: string, target: { address: string; port: number }): Promise<{ bytes: number }> {
  const packet = magicPacket(mac);
  const socket = dgram.createSocket("udp4");
  try {
    await new Promise<void>((resolve, reject) => {
      socket.once("error", reject);
      socket.bind(0, () => {
        // Broadcast must be enabled after bind; sending to a unicast address with it set is harmless.
        socket.setBroadcast(true);
        socket.send(packet, target.port, target.address, (err) => (err ? reject(err) : resolve()));
      });
    });
    return { bytes: packet.length };
  } finally {
    socket.close();
  }
}
