/**
 * The admin's own addresses beside the sandbox's 127.x plan (issue 14, item 5):
 * `realAddresses` maps a plan entry (a host or host/interface of the address
 * plan, a 127.x address, or a zone) to the address the admin types into the
 * production firewall. Only `edgesim ports --addresses real` prints them: no
 * socket is ever bound to or dials a real address (every world stays on
 * 127.0.0.0/8). The sandbox side is resolved against the plan by
 * harness/net/real-addresses.ts (checks.ts reports names the plan lacks).
 */
import { z } from "zod";

const OCTET = "(25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)";
const IPV4 = `${OCTET}(\\.${OCTET}){3}`;
const REAL_PATTERN = new RegExp(`^${IPV4}(\\/(3[0-2]|[12]?\\d))?$`);

/** A real address, parsed once at the boundary: "203.0.113.10" or "10.0.0.0/8" as the admin wrote it. */
export type RealAddress = string;

/** Why `text` is not a real IPv4 address or CIDR edgesim can print; undefined when it is one. */
export function realAddressProblem(text: string): string | undefined {
  if (!REAL_PATTERN.test(text)) return `'${text}' is not an IPv4 address or CIDR (such as 203.0.113.10 or 10.0.0.0/8)`;
  const [address, bits] = text.split("/");
  const octets = address!.split(".").map(Number);
  if (octets[0] === 127) return `'${text}' is in 127.0.0.0/8, the sandbox's own range: a real address is the one the production firewall sees`;
  if (bits !== undefined) {
    const value = octets.reduce((acc, o) => acc * 256 + o, 0);
    const hostBits = 2 ** (32 - Number(bits));
    if (value % hostBits !== 0) return `'${text}' has host bits set: did you mean ${networkOf(value - (value % hostBits))}/${bits}?`;
  }
  return undefined;
}

function networkOf(value: number): string {
  return [24, 16, 8, 0].map((s) => Math.floor(value / 2 ** s) % 256).join(".");
}

export const RealAddressEntrySchema = z.strictObject({
  sandbox: z.string().min(1).describe("a host of the address plan (vip-access), host/interface (edge1/external-av), a 127.x address, or a zone (internal, perimeterInternal, perimeterExternal, internet)"),
  real: z
    .string()
    .regex(REAL_PATTERN, "must be an IPv4 address or CIDR, such as 203.0.113.10 or 10.0.0.0/8")
    .refine((v) => realAddressProblem(v) === undefined, { error: (iss) => realAddressProblem(String(iss.input)) ?? "not a real address" })
    .describe("the address (or prefix) the production firewall sees for it; printed only, never bound or dialled"),
  note: z.string().optional().describe("where the address comes from (the admin's own words)"),
});

export type RealAddressEntry = z.infer<typeof RealAddressEntrySchema>;
