/**
 * A real sip.js 0.21 user agent (not ours) as a remote user over SIP-over-WebSocket
 * (RFC 7118) through the Access Edge's WSS listener: it registers (FED-9 outside
 * access), sends IM to a federated partner and receives one back.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import WebSocket from "ws";
import { Messager, Registerer, RegistererState, UserAgent } from "sip.js";
import type { World } from "../../harness/world/world.ts";
import { ACCESS_EDGE_WSS_PORT } from "../../harness/world/access-edge-service.ts";
import { frontEndOf } from "../../harness/world/frontend-service.ts";
import { sipPartnerOf } from "../../harness/world/sip-partners-service.ts";
import { ZONE_BASE } from "../kit/bases.ts";
import { startTestWorld, topologyAt } from "../kit/world.ts";
import { dnsLoadBalanced, SIP_SERVICES } from "./world-helpers.ts";

let world: World;
let ua: UserAgent;
const received: Array<{ from: string; body: string }> = [];

beforeAll(async () => {
  // sally signs in from outside with sip.js.
  world = await startTestWorld(topologyAt(ZONE_BASE.accessEdgeSipJs, "contoso", (t) => {
    dnsLoadBalanced(t);
    t.organisation.users.push({ uri: "sally@contoso.test", policy: "Global", contacts: [], homedOnSba: false, remote: true });
  }), { services: SIP_SERVICES });
  const ca = world.pki.ca.certPem;
  const localAddress = world.plan.byHost("client-sally").address;
  const lookup = world.context.resolverFor("external", localAddress).lookup;
  // sip.js uses the global WebSocket; this one trusts the sandbox CA, resolves in the internet's DNS view and binds sally's address.
  class SandboxWebSocket extends WebSocket {
    constructor(url: string, protocols?: string | string[]) {
      super(url, protocols, { ca, lookup, localAddress });
    }
  }
  (globalThis as { WebSocket?: unknown }).WebSocket = SandboxWebSocket;
  ua = new UserAgent({
    uri: UserAgent.makeURI("sip:sally@contoso.test"),
    transportOptions: { server: `wss://sip.contoso.test:${ACCESS_EDGE_WSS_PORT}` },
    logLevel: "error",
    delegate: {
      onMessage: (m) => {
        received.push({ from: m.request.from.uri.toString(), body: m.request.body });
        void m.accept();
      },
    },
  });
  await ua.start();
  const registerer = new Registerer(ua);
  const registered = new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`sip.js REGISTER through the edge: still ${registerer.state} after 10 s`)), 10_000);
    registerer.stateChange.addListener((s) => {
      if (s === RegistererState.Registered) {
        clearTimeout(timer);
        resolve();
      }
    });
  });
  await registerer.register();
  await registered;
}, 30_000);

afterAll(async () => {
  await ua?.stop();
  await world?.stop();
});

describe("sip.js over WSS through the Access Edge", () => {
  it("FED-9: sip.js signs in over WSS (EnableOutsideAccess) and the front end registers it through the edge", () => {
    expect(frontEndOf(world).isRegistered("sally@contoso.test")).toBe(true);
  });

  it("FED-3: sip.js sends an IM to bob@fabrikam.test and gets 200; bob receives it", async () => {
    const status = await new Promise<number>((resolve) => {
      const messager = new Messager(ua, UserAgent.makeURI("sip:bob@fabrikam.test")!, "hello from sip.js");
      void messager.message({ requestDelegate: { onAccept: (r) => resolve(r.message.statusCode ?? 0), onReject: (r) => resolve(r.message.statusCode ?? 0) } });
    });
    expect(status).toBe(200);
    expect(await sipPartnerOf(world, "fabrikam.test").user("bob@fabrikam.test").inbox.next(5000)).toMatchObject({ from: "sally@contoso.test", text: "hello from sip.js" });
  });

  it("FED-3: bob's answer reaches sip.js over its WebSocket, and sip.js's 200 goes back to bob", async () => {
    const r = await sipPartnerOf(world, "fabrikam.test").user("bob@fabrikam.test").sendMessage("sally@contoso.test", "hi sally");
    expect(r.status).toBe(200);
    expect(received).toContainEqual({ from: "sip:bob@fabrikam.test", body: "hi sally" });
  });
});
