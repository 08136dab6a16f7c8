/**
 * Attribute type numbers: RFC 5389 18.2 (STUN), RFC 5766 14 (TURN), RFC 5245 19.1 (ICE,
 * so ordinary connectivity checks such as RFC 5769 2.1 are understood), and the
 * [MS-TURN] 2.2.2 numbers Lync clients send. Types 0x0000-0x7FFF are
 * comprehension-required, 0x8000-0xFFFF comprehension-optional (RFC 5389 15).
 */
export const AttrType = {
  MappedAddress: 0x0001,
  Username: 0x0006,
  MessageIntegrity: 0x0008,
  ErrorCode: 0x0009,
  UnknownAttributes: 0x000a,
  ChannelNumber: 0x000c,
  Lifetime: 0x000d,
  XorPeerAddress: 0x0012,
  Data: 0x0013,
  Realm: 0x0014,
  Nonce: 0x0015,
  XorRelayedAddress: 0x0016,
  EvenPort: 0x0018,
  RequestedTransport: 0x0019,
  DontFragment: 0x001a,
  XorMappedAddress: 0x0020,
  ReservationToken: 0x0022,
  Priority: 0x0024,
  UseCandidate: 0x0025,
  Software: 0x8022,
  AlternateServer: 0x8023,
  Fingerprint: 0x8028,
  IceControlled: 0x8029,
  IceControlling: 0x802a,
} as const;

/**
 * [MS-TURN] 2.2.2 attribute numbers (draft-era TURN-08 / STUN-02 layout). Note the
 * clash with RFC 5389: MS-TURN Nonce is 0x0014 and Realm 0x0015 (RFC 5389 swaps them),
 * and 0x0012 is Remote Address, not XOR-PEER-ADDRESS.
 */
export const MsTurnAttrType = {
  MagicCookie: 0x000f,
  Bandwidth: 0x0010,
  DestinationAddress: 0x0011,
  RemoteAddress: 0x0012,
  Data: 0x0013,
  Nonce: 0x0014,
  Realm: 0x0015,
  RequestedAddressFamily: 0x0017,
  MsVersion: 0x8008,
  XorMappedAddress: 0x8020,
  MsAlternateHostName: 0x8032,
  AppId: 0x8037,
  SecureTag: 0x8039,
  MsSequenceNumber: 0x8050,
  MsServiceQuality: 0x8055,
  MsAlternateMappedAddress: 0x8090,
  MultiplexedTurnSessionId: 0x8095,
} as const;

/** RFC 5389 15: the top bit clear means an agent that does not know the type must refuse the message. */
export function isComprehensionRequired(type: number): boolean {
  return type < 0x8000;
}
