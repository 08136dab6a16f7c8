/**
 * The URLs the front end's web services hand out. Internal requests get the
 * internal web FQDN, external ones the external web FQDN; the Mobility Service
 * (Mcx, UCWA) is always on the external web FQDN, from inside too, so mobile
 * traffic always goes through the reverse proxy (MOB-2). Ports below 1024 carry
 * the world's mapping (10443 when not root).
 */
import type { Topology } from "../../topology/schema.ts";

export type AccessLocation = "Internal" | "External";

export function httpsBase(fqdn: string, mapPort: (p: number) => number): string {
  const port = mapPort(443);
  return port === 443 ? `https://${fqdn}` : `https://${fqdn}:${port}`;
}

export const AUTODISCOVER_ROOT = "/Autodiscover/AutodiscoverService.svc/root";
export const AUTODISCOVER_USER = "/Autodiscover/AutodiscoverService.svc/root/oauth/user";

export interface UserLinks {
  "internal/autodiscover": string;
  "external/autodiscover": string;
  "internal/mcx": string;
  "external/mcx": string;
  "internal/ucwa": string;
  "external/ucwa": string;
  addressBook: string;
  meetingContent: string;
}

export function userLinks(t: Topology, access: AccessLocation, mapPort: (p: number) => number): UserLinks {
  const int = httpsBase(t.organisation.internalWebFqdn, mapPort);
  const ext = httpsBase(t.organisation.externalWebFqdn, mapPort);
  const here = access === "Internal" ? int : ext;
  return {
    "internal/autodiscover": `${int}${AUTODISCOVER_ROOT}`,
    "external/autodiscover": `${ext}${AUTODISCOVER_ROOT}`,
    // MOB-2: both Mobility Service URLs point at the external web FQDN.
    "internal/mcx": `${ext}/Mcx/McxService.svc`,
    "external/mcx": `${ext}/Mcx/McxService.svc`,
    "internal/ucwa": `${ext}/ucwa/v1/applications`,
    "external/ucwa": `${ext}/ucwa/v1/applications`,
    addressBook: `${here}/abs/handler`,
    meetingContent: `${here}/DataCollabWeb`,
  };
}
