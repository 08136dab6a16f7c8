/** The internal front-end pool and its user API (docs/access-edge.md). */
export { FrontEndPool, type FrontEndPoolOptions } from "./frontend-pool.ts";
export { RemoteUser, type RemoteUserOptions } from "./remote-user.ts";
export type { SipUser } from "./user.ts";
export type { ReceivedMessage, SendResult } from "../../../partners/sip/index.ts";
