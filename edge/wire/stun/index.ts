/**
 * STUN (RFC 5389) / TURN (RFC 5766) wire layer, with the [MS-TURN] attribute numbers Lync
 * clients use. See docs/stun-wire.md for the attribute list, framing, limits and what of
 * MS-TURN is modelled.
 */
export { AttrType, MsTurnAttrType, isComprehensionRequired } from "./attr-type.ts";
export { RawAttribute, type EncodeContext, type StunAttributeSetter } from "./attribute.ts";
export { StunMessageBuilder, newTransactionId } from "./builder.ts";
export {
  CHANNEL_DATA_HEADER_SIZE,
  CHANNEL_NUMBER_MAX,
  CHANNEL_NUMBER_MIN,
  channelDataFrameSize,
  decodeChannelData,
  encodeChannelData,
  isChannelData,
  isValidChannelNumber,
  type ChannelDataMessage,
  type StunTransport,
} from "./channel-data.ts";
export { StunUnknownAttributesError, assertComprehended, knownRequiredTypes, unknownComprehensionRequired } from "./comprehension.ts";
export { classifyPacket, type PacketKind } from "./demux.ts";
export { HEADER_SIZE, MAGIC_COOKIE, MS_TURN_MAGIC_COOKIE, decodeHeader, isMsTurn, isStun, type StunHeader } from "./header.ts";
export { formatIp, parseIp, type IpFamily } from "./ip.ts";
export { decodeStun, findAttribute, type StunAttributeView, type StunDecodeOptions, type StunDialect, type StunMessage } from "./message.ts";
export { StunClass, StunMethod, decodeMessageType, encodeMessageType } from "./message-type.ts";
export { saslprep } from "./saslprep.ts";
export { DEFAULT_MAX_FRAME_SIZE, StunTcpFramer, type TcpFrame, type TcpFramerOptions } from "./tcp-framer.ts";

export { decodeAddress, encodeAddress, formatTransportAddress, type TransportAddress } from "./attrs/address.ts";
export { AlternateServer, getAlternateServer } from "./attrs/alternate-server.ts";
export { ChannelNumber, getChannelNumber } from "./attrs/channel-number.ts";
export { Data, getData } from "./attrs/data.ts";
export { DontFragment, hasDontFragment } from "./attrs/dont-fragment.ts";
export { DEFAULT_REASONS, ErrorCode, getErrorCode, type StunErrorCode } from "./attrs/error-code.ts";
export { EvenPort, getEvenPort } from "./attrs/even-port.ts";
export { FINGERPRINT_XOR, checkFingerprint, computeFingerprint, verifyFingerprint } from "./attrs/fingerprint.ts";
export { Lifetime, getLifetime } from "./attrs/lifetime.ts";
export { MappedAddress, getMappedAddress } from "./attrs/mapped-address.ts";
export { INTEGRITY_SIZE, checkIntegrity, computeIntegrity, longTermKey, shortTermKey, verifyIntegrity } from "./attrs/message-integrity.ts";
export { MsTurnMagicCookie, getMsTurnMagicCookie } from "./attrs/ms-magic-cookie.ts";
export { MsVersion, getMsVersion } from "./attrs/ms-version.ts";
export { Nonce, getNonce, nonceType } from "./attrs/nonce.ts";
export { Realm, getRealm, realmType } from "./attrs/realm.ts";
export { RequestedTransport, TRANSPORT_UDP, getRequestedTransport } from "./attrs/requested-transport.ts";
export { ReservationToken, getReservationToken } from "./attrs/reservation-token.ts";
export { Software, getSoftware } from "./attrs/software.ts";
export { UnknownAttributes, getUnknownAttributes } from "./attrs/unknown-attributes.ts";
export { Username, getUsername } from "./attrs/username.ts";
export { XorMappedAddress, getXorMappedAddress, xorMappedAddressType } from "./attrs/xor-mapped-address.ts";
export { XorPeerAddress, getXorPeerAddress, getXorPeerAddresses } from "./attrs/xor-peer-address.ts";
export { XorRelayedAddress, getXorRelayedAddress } from "./attrs/xor-relayed-address.ts";
