/**
 * FED-7: how a federated message is marked, and the one delivery restriction
 * verification brings: with AlwaysUnverifiable a message is delivered only when
 * the sender is in the recipient's contacts (the cmdlet reference: "passed only
 * if the addressee has configured an Allow ACE for the sender").
 */
import type { FederationConfig, VerificationLevel } from "./config.ts";
import { canonicalSipUri } from "./domains.ts";
import type { PeerClass } from "./inbound-identity.ts";
import type { Verification } from "./verdict.ts";

/** The verification level that applies to traffic from this class of peer. */
export function verificationLevelFor(config: FederationConfig, peer: PeerClass): VerificationLevel {
  switch (peer.rule) {
    case "FED-3":
    case "FED-4":
      return "AlwaysVerifiable";
    case "FED-5":
      return peer.provider.entry.VerificationLevel;
    case "FED-8":
      return config.accessEdge.VerificationLevel;
    case "FED-2":
      return config.accessEdge.DiscoveredPartnerVerificationLevel;
  }
}

export interface InboundVerification {
  level: VerificationLevel;
  verification: Verification;
  text: string;
}

export function inboundVerification(config: FederationConfig, peer: PeerClass, sourceVerified: boolean | undefined): InboundVerification {
  const level = verificationLevelFor(config, peer);
  if (level === "AlwaysVerifiable") {
    return { level, verification: "verifiable", text: `${peer.rule} peer with AlwaysVerifiable: marked verifiable` };
  }
  if (level === "AlwaysUnverifiable") {
    return { level, verification: "unverifiable", text: `${peer.rule} peer with AlwaysUnverifiable: marked unverifiable` };
  }
  if (peer.rule === "FED-2") {
    return { level, verification: "unverifiable", text: "discovered partner: marked unverifiable whatever the sender claims" };
  }
  const verification: Verification = sourceVerified === true ? "verifiable" : "unverifiable";
  const claim = sourceVerified === undefined ? "no source verification marking" : `source marked ${sourceVerified ? "verified" : "unverified"}`;
  return { level, verification, text: `${peer.rule} peer with UseSourceVerification, ${claim}: marked ${verification}` };
}

/** FED-7: AlwaysUnverifiable traffic reaches a user only from a sender in their contacts. */
export function senderInContacts(sender: string, contacts: readonly string[]): boolean {
  const wanted = canonicalSipUri(sender);
  return contacts.some((contact) => canonicalSipUri(contact) === wanted);
}

/** FED-7, outbound: what this edge marks on what it sends. */
export function outboundVerification(config: FederationConfig): { verification: Verification; text: string } {
  return config.accessEdge.MarkSourceVerifiableOnOutgoingMessages
    ? { verification: "verifiable", text: "MarkSourceVerifiableOnOutgoingMessages is true: outgoing message marked verifiable" }
    : { verification: "unverifiable", text: "MarkSourceVerifiableOnOutgoingMessages is false: outgoing message marked unverifiable" };
}
