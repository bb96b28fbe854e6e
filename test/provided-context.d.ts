// Values test/global-setup.ts provides to every suite (ports and URLs of the local peers it started).
import "vitest";
import type { InteractionKeyPair } from "./fakes/interaction-signer.ts";

declare module "vitest" {
  export interface ProvidedContext {
    databaseUrl: string;
    /** A second migrated database: the idle-deployment suite's whole deployment. */
    idleDeploymentDatabaseUrl: string;
    dbProxy: string;
    upstashUrl: string;
    upstashToken: string;
    discordApiBase: string;
    discordInteractionKey: InteractionKeyPair;
    twitchOrigin: string;
    youtubeOrigin: string;
    kickOrigin: string;
    lanyardOrigin: string;
    spotifyOrigin: string;
  }
}
