/**
 * A generated tenant, as the Management Shell prints it (Format-List text, the
 * form admins paste most): 10,000 users over a few external access policies,
 * 2,000 allowed and 200 blocked domains, the access edge configuration and the
 * edge service. Fictional `.example` names; nothing is read from outside.
 */
export interface TenantSize {
  users: number;
  allowed: number;
  blocked: number;
}

export const ISSUE_14_TENANT: TenantSize = { users: 10_000, allowed: 2_000, blocked: 200 };

const POLICIES = [
  ["Global", true, true, false],
  ["Site:Redmond", true, false, false],
  ["Tag:NoFederation", false, false, false],
  ["Tag:FederationOnly", true, false, false],
  ["Tag:Everything", true, true, true],
] as const;

function record(props: [string, string][]): string {
  const width = Math.max(...props.map(([k]) => k.length));
  return props.map(([k, v]) => `${k.padEnd(width)} : ${v}`).join("\r\n") + "\r\n\r\n";
}

const tf = (b: boolean) => (b ? "True" : "False");

export function generateTenant(size: TenantSize = ISSUE_14_TENANT): string {
  const out: string[] = ["PS C:\\> Get-CsAccessEdgeConfiguration\r\n\r\n"];
  out.push(record([["Identity", "Global"], ["AllowFederatedUsers", "True"], ["EnablePartnerDiscovery", "True"], ["RoutingMethod", "UseDnsSrvRouting"], ["AllowOutsideUsers", "True"], ["BeClearingHouse", "False"]]));
  out.push("PS C:\\> Get-CsExternalAccessPolicy\r\n\r\n");
  for (const [id, fed, xmpp, cloud] of POLICIES)
    out.push(record([["Identity", id], ["Description", ""], ["EnableFederationAccess", tf(fed)], ["EnableXmppAccess", tf(xmpp)], ["EnablePublicCloudAccess", tf(cloud)], ["EnablePublicCloudAudioVideoAccess", "False"], ["EnableOutsideAccess", "True"]]));
  out.push("PS C:\\> Get-CsAllowedDomain\r\n\r\n");
  for (let i = 0; i < size.allowed; i++)
    out.push(record([["Identity", `partner${i}.example`], ["Domain", `partner${i}.example`], ["ProxyFqdn", i % 10 === 0 ? `sip.partner${i}.example` : ""], ["Comment", ""], ["MarkForMonitoring", "False"]]));
  out.push("PS C:\\> Get-CsBlockedDomain\r\n\r\n");
  for (let i = 0; i < size.blocked; i++) out.push(record([["Identity", `blocked${i}.example`], ["Domain", `blocked${i}.example`], ["Comment", "blocked"]]));
  out.push("PS C:\\> Get-CsService -EdgeServer\r\n\r\n");
  out.push(record([["Identity", "EdgeServer:edgepool.tenant.example"], ["Registrar", "Registrar:pool01.tenant.example"], ["AccessEdgeExternalFqdn", "sip.tenant.example"], ["DataEdgeExternalFqdn", "webconf.tenant.example"], ["AVEdgeExternalFqdn", "av.tenant.example"], ["PoolFqdn", "edgepool.tenant.example"], ["Role", "EdgeServer"]]));
  out.push("PS C:\\> Get-CsUser\r\n\r\n");
  for (let i = 0; i < size.users; i++) {
    const policy = POLICIES[i % POLICIES.length]![0];
    out.push(record([["SipAddress", `sip:user${i}@tenant.example`], ["DisplayName", `User ${i}`], ["ExternalAccessPolicy", policy.startsWith("Tag:") ? policy.slice(4) : ""], ["RegistrarPool", "pool01.tenant.example"], ["Enabled", "True"], ["LineURI", ""]]));
  }
  return out.join("");
}
