import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { issueLeaf } from "../../harness/pki/issuer.ts";
import { reverseProxyService } from "../../harness/world/reverse-proxy-service.ts";
import type { RunningService } from "../../harness/world/service.ts";
import type { World } from "../../harness/world/world.ts";
import { ZONE_BASE } from "../kit/bases.ts";
import { startTestWorld, topologyAt } from "../kit/world.ts";
import { mobileClient } from "./mobile-kit.ts";

describe("MOB-4: lyncdiscover as a CNAME to another domain, and a reverse-proxy certificate without lyncdiscover", () => {
  const B = ZONE_BASE.mobilityCname;
  let world: World;
  let rp: RunningService | undefined;

  beforeAll(async () => {
    const rpExternal = `127.${B + 2}.9.1`;
    world = await startTestWorld(
      topologyAt(B, "contoso", (t) => {
        t.dnsRecords.push(
          { view: "external", name: "lyncdiscover.contoso.test", type: "CNAME", value: "webext.contoso-hosting.test", priority: 0, weight: 100, replace: true },
          { view: "external", name: "webext.contoso-hosting.test", type: "A", value: rpExternal, priority: 0, weight: 100, replace: false },
        );
      }),
      { services: ["dns", "web"] },
    );
    // The certificate the target domain's proxy holds: its own names, not lyncdiscover.<sipdomain> (the SAN the admin did not buy).
    const leaf = await issueLeaf(world.pki.ca, { commonName: "lyncweb.contoso.test", dnsNames: ["lyncweb.contoso.test", "webext.contoso-hosting.test", "meet.contoso.test"], eku: ["serverAuth"], notBeforeDays: -1, notAfterDays: 30 });
    const planned = world.pki.identity("reverse-proxy");
    world.pki.identities.set("reverse-proxy", { ...planned, certPem: leaf.certPem, keyPem: leaf.keyPem });
    rp = await reverseProxyService.start(world.context);
  }, 30_000);
  afterAll(async () => {
    await rp?.stop();
    await world?.stop();
  });

  it("MOB-4: over HTTPS the certificate does not name lyncdiscover.contoso.test, so autodiscover fails (missing SAN)", async () => {
    const r = await mobileClient(world, "alice@contoso.test", "outside", ["https"]).signIn();
    const root = r.steps.find((s) => s.what === "autodiscover root over HTTPS")!;
    expect(root.ok).toBe(false);
    expect(root.error).toMatch(/ERR_TLS_CERT_ALTNAME_INVALID/);
    expect(root.rules).toEqual(["MOB-4"]);
    expect(r.ok).toBe(false);
  });

  it("MOB-4: the first request over HTTP 80 -> pool 8080 follows the CNAME, later requests go over HTTPS to the external web FQDN", async () => {
    const r = await mobileClient(world, "alice@contoso.test", "outside").signIn();
    expect(r.steps.map((s) => [s.what, s.ok])).toEqual([
      ["resolve lyncdiscoverinternal.contoso.test", false],
      ["autodiscover root over HTTPS", false],
      ["autodiscover root over HTTP", true],
      ["autodiscover user", true],
      ["create UCWA application", true],
      ["read UCWA application", true],
      ["read UCWA application", true],
      ["read UCWA application", true],
    ]);
    expect(r.steps[3]!.url).toMatch(/^https:\/\/lyncweb\.contoso\.test/);
    expect(r.ok).toBe(true);
  });
});
