import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { worldFirewall } from "../../harness/net/world-firewall.ts";
import type { World } from "../../harness/world/world.ts";
import { ZONE_BASE } from "../kit/bases.ts";
import { startTestWorld, topologyAt } from "../kit/world.ts";
import { WEB_SERVICES, mobileClient } from "./mobile-kit.ts";

const B = ZONE_BASE.mobility;
let world: World;

beforeAll(async () => {
  world = await startTestWorld(topologyAt(B), { services: WEB_SERVICES });
}, 30_000);
afterAll(async () => world?.stop());
afterEach(() => worldFirewall(world.context).reset());

describe("mobile autodiscover (seed 000)", () => {
  it("MOB-1: outside, lyncdiscoverinternal does not resolve and lyncdiscover does, through the reverse proxy", async () => {
    const r = await mobileClient(world, "alice@contoso.test", "outside").signIn();
    expect(r.steps[0]).toMatchObject({ what: "resolve lyncdiscoverinternal.contoso.test", ok: false, rules: ["DNS-4", "MOB-1"] });
    expect(r.steps[1]).toMatchObject({ what: "autodiscover root over HTTPS", ok: true });
    expect(r.steps[1]!.url).toContain("https://lyncdiscover.contoso.test:");
    expect(r.accessLocation).toBe("External");
    expect(r.ok).toBe(true);
  });

  it("MOB-1: inside, lyncdiscoverinternal is tried first and answers from the front end (internal web services)", async () => {
    const r = await mobileClient(world, "carol@contoso.test", "inside").signIn();
    expect(r.steps[0]).toMatchObject({ what: "autodiscover root over HTTPS", ok: true });
    expect(r.steps[0]!.url).toContain("https://lyncdiscoverinternal.contoso.test:");
    expect(r.accessLocation).toBe("Internal");
  });

  it("MOB-2: inside and outside, both Mobility Service URLs (Mcx, UCWA) are on the external web FQDN and UCWA works through the reverse proxy", async () => {
    for (const [user, where] of [["carol@contoso.test", "inside"], ["alice@contoso.test", "outside"]] as const) {
      const r = await mobileClient(world, user, where).signIn();
      for (const k of ["internal/mcx", "external/mcx", "internal/ucwa", "external/ucwa"]) expect(r.links?.[k]?.href, `${where} ${k}`).toMatch(/^https:\/\/lyncweb\.contoso\.test[:/]/);
      expect(r.links?.["internal/autodiscover"]?.href).toMatch(/^https:\/\/lyncwebint\.contoso\.test/);
      expect(r.ucwa, where).toMatchObject({ server: "fe01", reread: 3 });
      expect(r.ok, where).toBe(true);
    }
  });

  it("MOB-3: inside, mobility traffic hairpins on the reverse proxy (internal firewall rule 000-mob-hairpin-443)", async () => {
    const rec = world.bus.record(["firewall.pass"]);
    const r = await mobileClient(world, "carol@contoso.test", "inside").signIn();
    rec.stop();
    expect(r.ok).toBe(true);
    const passes = rec.events.filter((e) => e.kind === "firewall.pass" && e.host === "client-carol");
    expect(passes.length).toBeGreaterThan(0);
    expect(passes.every((e) => e.kind === "firewall.pass" && e.detail.includes("000-mob-hairpin-443"))).toBe(true);
  });

  it("MOB-3: a firewall configured to hairpin drops the inside client by anti-spoofing, and the trace says why", async () => {
    worldFirewall(world.context).setHairpin("external-firewall");
    const rec = world.bus.record(["firewall.drop"]);
    const r = await mobileClient(world, "carol@contoso.test", "inside").signIn();
    rec.stop();
    expect(r.accessLocation).toBe("Internal"); // autodiscover inside works: lyncdiscoverinternal is not hairpinned
    expect(r.ok).toBe(false);
    const failed = r.steps.find((s) => !s.ok)!;
    expect(failed.what).toBe("create UCWA application");
    expect(failed.rules).toEqual(["MOB-3", "PORT-5"]);
    expect(failed.error).toContain("anti-spoofing");
    expect(rec.events.some((e) => e.kind === "firewall.drop" && e.firewall === "external" && e.rules.includes("MOB-3"))).toBe(true);
    // The same setting leaves outside clients alone.
    expect((await mobileClient(world, "alice@contoso.test", "outside").signIn()).ok).toBe(true);
  });

  it("MOB-4: with the HTTP first request, autodiscover goes 80 -> pool 8080 and the answer sends later requests over HTTPS", async () => {
    const r = await mobileClient(world, "alice@contoso.test", "outside", ["http"]).signIn();
    const root = r.steps.find((s) => s.what === "autodiscover root over HTTP")!;
    expect(root).toMatchObject({ ok: true });
    expect(r.steps.find((s) => s.what === "autodiscover user")!.url).toMatch(/^https:\/\/lyncweb\.contoso\.test/);
    expect(r.accessLocation).toBe("External");
    expect(r.ok).toBe(true);
  });
});
