export { CacheStore } from "../../workers/src/cache/cache-store.ts";
export default { fetch: () => new Response("tmp") };
