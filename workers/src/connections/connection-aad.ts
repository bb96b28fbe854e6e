// The associated data that binds a sealed OAuth token to its connection row: a ciphertext copied to another row,
// tenant, user, platform or to the other token column fails to open. Shared by the Worker and `npm run secrets:rotate`.
export type TokenKind = "access" | "refresh";

export interface ConnectionKey {
  id: string;
  tenantId: string;
  userId: string;
  platform: string;
}

export const connectionAad = (row: ConnectionKey, kind: TokenKind) => `nebula.connection:${row.id}:${row.tenantId}:${row.userId}:${row.platform}:${kind}`;
