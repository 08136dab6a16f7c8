/**
 * FED-5 since Lync Server 2010 (seed 003): a hosting provider's entry names its
 * proxy and carries no list of domains. A domain hosted there is accepted and
 * reached only when it is on the allowed domains list, or partner discovery is
 * on and its SRV record names the provider's proxy; otherwise it is refused like
 * any stranger. Public IM providers still speak for any domain from their proxy.
 */
import { describe, expect, it } from "vitest";
import { decide } from "../../edge/policy/decide.ts";
import { federationConfig, hostedPeer, inbound, outbound, peer } from "./fixtures.ts";

const HOSTED = "sip:tom@tailspin.onmicrosoft.com";
const PROXY = "sipfed.online.lync.com";
const discoveryOff = federationConfig((c) => (c.accessEdge.EnablePartnerDiscovery = false));
const allowedHosted = federationConfig((c) => {
  c.accessEdge.EnablePartnerDiscovery = false;
  c.allowedDomains.push({ Identity: "tailspin.onmicrosoft.com" });
});

describe("FED-5 hosting providers since Lync Server 2010", () => {
  it("FED-5: with discovery off and no allowed-domain entry, a hosted domain from the provider's proxy is refused 403 like a stranger", () => {
    const v = decide(discoveryOff, inbound(HOSTED, hostedPeer(PROXY)));
    expect(v.allowed).toBe(false);
    expect(v.refusal).toMatchObject({ status: 403, diagnostics: { code: 52050 } });
    expect(v.refusal?.diagnostics.text).toMatch(/^FED-5: .*tailspin\.onmicrosoft\.com from hosting provider LyncOnline \(sipfed\.online\.lync\.com\)/);
    expect(v.steps.at(-1)?.rule).toBe("FED-5");
  });

  it("FED-5: with discovery off and no allowed-domain entry, outbound to the hosted domain is refused (no provider route)", () => {
    const v = decide(discoveryOff, outbound("sip:tom@tailspin.onmicrosoft.com"));
    expect(v.allowed).toBe(false);
    expect(v.refusal).toMatchObject({ status: 403, diagnostics: { code: 52020 } });
  });

  it("FED-5 / FED-3: a hosted domain on the allowed domains list is accepted from the provider's proxy, with the provider's verification", () => {
    const v = decide(allowedHosted, inbound(HOSTED, peer([PROXY])));
    expect(v.allowed).toBe(true);
    expect(v.rules).toEqual(expect.arrayContaining(["FED-5", "FED-3", "FED-7"]));
    expect(v.verification).toBe("verifiable");
    expect(v.rules).not.toContain("FED-11");
  });

  it("FED-5 / FED-3: a hosted domain on the allowed domains list is reached by its SRV record (no provider route of its own)", () => {
    const v = decide(allowedHosted, outbound("sip:tom@tailspin.onmicrosoft.com"));
    expect(v.allowed).toBe(true);
    expect(v.route).toMatchObject({ kind: "srv", srvName: "_sipfederationtls._tcp.tailspin.onmicrosoft.com", rule: "FED-3" });
  });

  it("FED-5 / FED-2: with discovery on, a hosted domain whose SRV names the provider's proxy is accepted, not throttled, marked by the provider's level", () => {
    const v = decide(federationConfig(), inbound("sip:eve@unverif.example", hostedPeer("edge.unverif.example"), "sip:dave@contoso.com"));
    expect(v.allowed).toBe(true);
    expect(v.rules).toEqual(expect.arrayContaining(["FED-5", "FED-2", "FED-10"]));
    expect(v.rules).not.toContain("FED-11");
    expect(v.verification).toBe("unverifiable");
    expect(v.steps.map((s) => s.text).join("\n")).toMatch(/AlwaysUnverifiable/);
  });

  it("FED-5 / FED-10: with discovery on, a hosted domain whose SRV names another edge is refused from the provider's proxy", () => {
    const v = decide(federationConfig(), inbound(HOSTED, peer([PROXY], ["sip.tailspin.onmicrosoft.com"])));
    expect(v.allowed).toBe(false);
    expect(v.refusal).toMatchObject({ status: 403, diagnostics: { code: 52101 } });
    expect(v.refusal?.diagnostics.text).toContain("not hosting provider LyncOnline's proxy sipfed.online.lync.com");
  });

  it("FED-5 / FED-10: with discovery on and the hosted domain's SRV unresolved, the answer is 504", () => {
    const v = decide(federationConfig(), inbound(HOSTED, peer([PROXY])));
    expect(v.refusal).toMatchObject({ status: 504, diagnostics: { code: 52102 } });
  });

  it("FED-5: an allowed domain with a ProxyFqdn of its own is not accepted from the hosting provider (FED-4 wins)", () => {
    const config = federationConfig((c) => c.allowedDomains.push({ Identity: "tailspin.onmicrosoft.com", ProxyFqdn: "sip.tailspin.example" }));
    const v = decide(config, inbound(HOSTED, hostedPeer(PROXY)));
    expect(v.allowed).toBe(false);
    expect(v.rules).toContain("FED-4");
  });

  it("FED-5: public IM providers keep today's behaviour: any domain from the proxy is accepted, with discovery off", () => {
    const v = decide(discoveryOff, inbound("sip:buddy@anything.example", peer(["federation.messenger.msn.com"])));
    expect(v.allowed).toBe(true);
    expect(v.rules).toContain("FED-5");
  });

  it("FED-5: a public IM domain still routes to the provider's ProxyFqdn outbound", () => {
    const v = decide(discoveryOff, outbound("sip:x@hotmail.com"));
    expect(v.route).toMatchObject({ kind: "provider", providerKind: "public", fqdn: "federation.messenger.msn.com" });
  });
});
