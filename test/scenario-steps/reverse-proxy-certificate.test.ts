/**
 * The topology knob behind the missing-SAN scenario (MOB-4):
 * organisation.reverseProxy.certificate.omitNames leaves names off the planned
 * reverse-proxy certificate, and refuses names the certificate never had.
 */
import { describe, expect, it } from "vitest";
import { planCertificates } from "../../harness/pki/plan.ts";
import { loadTopology } from "../../harness/topology/registry.ts";
import { TopologySchema, type Topology } from "../../harness/topology/schema.ts";

function contosoWith(omitNames?: string[]): Topology {
  const raw = structuredClone(loadTopology("contoso")) as unknown as { organisation: Record<string, unknown> };
  if (omitNames) raw.organisation.reverseProxy = { certificate: { omitNames } };
  return TopologySchema.parse(raw);
}

function reverseProxyRequest(t: Topology) {
  const r = planCertificates(t).find((c) => c.name === "reverse-proxy");
  if (!r) throw new RangeError("the certificate plan has no reverse-proxy identity");
  return r;
}

describe("organisation.reverseProxy.certificate.omitNames (MOB-4)", () => {
  const cases: { name: string; omit?: string[]; names: string[]; commonName: string }[] = [
    { name: "RP-1: by default the certificate names every published host", names: ["lyncweb.contoso.test", "lyncdiscover.contoso.test", "meet.contoso.test", "dialin.contoso.test"], commonName: "lyncweb.contoso.test" },
    { name: "MOB-4: without the lyncdiscover SAN, only that name is gone", omit: ["lyncdiscover.contoso.test"], names: ["lyncweb.contoso.test", "meet.contoso.test", "dialin.contoso.test"], commonName: "lyncweb.contoso.test" },
    { name: "RP-1: leaving off the external web FQDN moves the subject to the first name left", omit: ["lyncweb.contoso.test"], names: ["lyncdiscover.contoso.test", "meet.contoso.test", "dialin.contoso.test"], commonName: "lyncdiscover.contoso.test" },
  ];
  for (const c of cases)
    it(c.name, () => {
      const r = reverseProxyRequest(contosoWith(c.omit));
      expect(r.dnsNames).toEqual(c.names);
      expect(r.commonName).toBe(c.commonName);
    });

  it("MOB-4: a name the certificate never carried is refused, naming the field and the names it has", () => {
    expect(() => reverseProxyRequest(contosoWith(["lyncdiscover.fabrikam.test"]))).toThrow(
      /organisation\.reverseProxy\.certificate\.omitNames: lyncdiscover\.fabrikam\.test is not on the reverse-proxy certificate \(its names: lyncweb\.contoso\.test, lyncdiscover\.contoso\.test/,
    );
  });

  it("MOB-4: leaving off every name is refused", () => {
    expect(() => reverseProxyRequest(contosoWith(["lyncweb.contoso.test", "lyncdiscover.contoso.test", "meet.contoso.test", "dialin.contoso.test"]))).toThrow(/with no name at all/);
  });

  it("MOB-4: the schema refuses an unknown field next to omitNames", () => {
    const raw = structuredClone(loadTopology("contoso")) as unknown as { organisation: Record<string, unknown> };
    raw.organisation.reverseProxy = { certificate: { omitNames: [], omitSans: [] } };
    const parsed = TopologySchema.safeParse(raw);
    expect(parsed.success).toBe(false);
    expect(parsed.error?.issues.map((i) => i.path.join("."))).toContain("organisation.reverseProxy.certificate");
  });
});
