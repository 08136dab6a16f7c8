/**
 * What the XMPP gateway needs from the front end's internal SIP users: a way to
 * hand them translated IM, presence and errors. `InternalUsers` is the gateway's
 * own implementation (a per-user mailbox with events), used until the front-end
 * pool's user API is wired in: a front end implements `InternalImSide` instead.
 */
import { EventEmitter } from "node:events";
import type { InternalIm, InternalPresence } from "./translate.ts";
import { bareAddress } from "./translate.ts";

export interface InternalError {
  from: string;
  to: string;
  condition: string;
  text?: string;
}

export interface InternalImSide {
  deliverIm(im: InternalIm): void;
  deliverPresence(presence: InternalPresence): void;
  deliverError(error: InternalError): void;
}

export interface UserEvents {
  im: [InternalIm];
  presence: [InternalPresence];
  error: [InternalError];
}

export class InternalUser extends EventEmitter<UserEvents> {
  readonly received: InternalIm[] = [];
  readonly presences: InternalPresence[] = [];
  readonly errors: InternalError[] = [];
  constructor(readonly uri: string) {
    super();
  }
}

export class InternalUsers implements InternalImSide {
  private readonly users = new Map<string, InternalUser>();
  /** Keep at most this many received items per user (a bench sends many). */
  constructor(private readonly keep = 1000) {}

  user(uri: string): InternalUser {
    const key = bareAddress(uri);
    let u = this.users.get(key);
    if (!u) {
      u = new InternalUser(`sip:${key}`);
      u.on("error", () => undefined);
      this.users.set(key, u);
    }
    return u;
  }

  deliverIm(im: InternalIm): void {
    const u = this.user(im.to);
    if (u.received.length < this.keep) u.received.push(im);
    u.emit("im", im);
  }

  deliverPresence(presence: InternalPresence): void {
    const u = this.user(presence.to);
    if (u.presences.length < this.keep) u.presences.push(presence);
    u.emit("presence", presence);
  }

  deliverError(error: InternalError): void {
    const u = this.user(error.to);
    if (u.errors.length < this.keep) u.errors.push(error);
    u.emit("error", error);
  }
}
