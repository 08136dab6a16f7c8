/**
 * Remote users as a world service ("remote-users", issue 3): each user with
 * `remote: true` is a SIP client on its own internet address that signs in through
 * the Access Edge (DNS-2 `_sip._tls`, TLS 443) and is attached to the front end's
 * user API. A sign-in that fails at start (e.g. behind a VIP whose balancer starts
 * later) is traced, not fatal: the user signs in again when it next sends.
 */
import { RemoteUser } from "../org/frontend/index.ts";
import { frontEndOf } from "./frontend-service.ts";
import type { RunningService, ServiceFactory } from "./service.ts";
import { worldFirewall } from "../net/world-firewall.ts";

export interface RunningRemoteUsers extends RunningService {
  users: Map<string, RemoteUser>;
}

export const remoteUsersService: ServiceFactory = {
  name: "remote-users",
  describe: "remote users signing in through the Access Edge (issue 3)",
  async start(ctx): Promise<RunningRemoteUsers> {
    const fe = frontEndOf(ctx);
    const users = new Map<string, RemoteUser>();
    for (const u of ctx.topology.organisation.users.filter((x) => x.remote)) {
      const host = `client-${u.uri.split("@")[0]}`;
      const address = ctx.plan.byHost(host).address;
      const user = new RemoteUser({ uri: u.uri, host, address, caPem: ctx.pki.ca.certPem, resolver: ctx.resolverFor("external", address), events: ctx.events, gate: worldFirewall(ctx).gate });
      users.set(user.uri, user);
      fe.attachRemoteUser(user);
      const r = await user.signIn();
      if (r.status !== 200) ctx.events({ kind: "note", ts: Date.now(), host, rules: ["FED-9"], detail: `${u.uri} could not sign in at start (${r.status} ${r.reason}); will retry on first send` });
    }
    return {
      name: "remote-users",
      users,
      endpoints: [],
      stop: async () => {
        for (const u of users.values()) u.stop();
      },
    };
  },
};
