/**
 * The SIP wire layer of edgesim (RFC 3261 framing, parsing, serialising; RFC 5626
 * keep-alives). See docs/sip-wire.md. Import from here, not from the single files.
 */
export { DEFAULT_SIP_LIMITS, type SipLimits } from "./limits.ts";
export { SipHeaders, type SipHeaderField } from "./headers.ts";
export { canonicalName, headerKey, isListHeader } from "./header-names.ts";
export { SipRequest, SipResponse, type SipMessage } from "./message.ts";
export { parseUri, formatUri, parseHostPort, type AnyUri, type SipUri, type OtherUri } from "./uri.ts";
export { parseNameAddr, formatNameAddr, type NameAddr } from "./name-addr.ts";
export { parseVia, formatVia, type SipVia } from "./via.ts";
export { parseCSeq, parseMaxForwards, parseCallId, parseContentLength, parseSipDate, type SipCSeq } from "./scalars.ts";
export { parseParams, formatParams, splitCommaList, type SipParams } from "./params.ts";
export { parseStartLine, type StartLine } from "./start-line.ts";
export { parseSipDatagram, isCrlfKeepAlive, splitHead, buildMessage, type SipHead } from "./parse.ts";
export { checkControlCharacters, firstForbiddenControl, hasControlCharacter } from "./control-chars.ts";
export { SipStreamFramer, type SipFrameEvent } from "./framer.ts";
export { serializeSipMessage } from "./serialize.ts";
export { addVia, removeTopVia, decrementMaxForwards, addRecordRoute, setRequestUri, addHeader, type NewVia } from "./proxy-edit.ts";
export { createResponse, reasonPhrase, type CreateResponseOptions } from "./response.ts";
export { generateBranch, generateTag, isRfc3261Branch, MAGIC_COOKIE } from "./ids.ts";
export { validateProxyRequest, checkResponseForForwarding, type ProxyValidationOptions, type ProxyVerdict, type ResponseVerdict } from "./validate.ts";
