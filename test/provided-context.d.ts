// Values test/global-setup.ts provides to every suite (ports and URLs of the local peers it started).
import "vitest";

declare module "vitest" {
  export interface ProvidedContext {
    databaseUrl: string;
    dbProxy: string;
    upstashUrl: string;
    upstashToken: string;
    discordApiBase: string;
    twitchOrigin: string;
    youtubeOrigin: string;
    kickOrigin: string;
    lanyardOrigin: string;
    spotifyOrigin: string;
  }
}
