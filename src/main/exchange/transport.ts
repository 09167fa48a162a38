// How a package leaves this desk and how packages reach it, whatever carries them: a shared
// folder, the public-service mail (SMTP out, IMAP in), or the national exchange axis / the
// province's LGSP (REST). A transport moves opaque edXML files; it knows nothing of what they
// say. The exchange engine above it keeps the queue (at-least-once, retries with backoff, one
// recipient's failure not holding the others) and makes receipt idempotent (DocumentId + SHA-256),
// so a transport may deliver a package twice and must never lose one: it acknowledges a received
// package only when asked to, after the engine's database commit.

/** One edXML file to deliver to one recipient. */
export interface OutgoingPackage {
  /** The queue row's id: a transport may use it to make a resend idempotent on its side. */
  queueId: number;
  /** The recipient agency's code (OrganId, e.g. "000.00.00.G22"). */
  organId: string;
  /** Where this transport delivers to that agency: a folder path, a mail address, or the axis. */
  address: string;
  /** The file name the package travels under (e.g. "000.00.00.G22_20261203_15-QĐ-SYT.edxml"). */
  fileName: string;
  /** The .edxml file on disk (it may be large: stream it, never read it whole into a string). */
  path: string;
  /** SHA-256 of the file, hex. */
  sha256: string;
  /** A short human subject, for mail subjects and logs. */
  subject: string;
}

export interface SendResult {
  /** What the far side calls it (a message id, an axis docId), when it says. */
  remoteId?: string;
}

/** A package this desk has received, not yet acknowledged. */
export interface IncomingPackage {
  /** Stable id of the package within this transport (file name, IMAP UID + UIDVALIDITY, axis docId). */
  transportId: string;
  fileName: string;
  /** A local copy the engine may read (the transport made it; the engine moves or deletes it). */
  path: string;
  /** Who the transport says sent it (a mail address, a folder name, an OrganId), for the log. */
  from?: string;
}

/**
 * Failures are KysoError with codes the engine understands: EXCHANGE_UNREACHABLE (try again
 * later), EXCHANGE_REFUSED (the far side said no: do not retry as is), EXCHANGE_AUTH (credentials).
 */
export interface Transport {
  readonly kind: 'folder' | 'mail' | 'axis';
  send(pkg: OutgoingPackage): Promise<SendResult>;
  /** Packages waiting for this desk, each copied to a local file; at most `limit`. */
  receive(limit?: number): Promise<IncomingPackage[]>;
  /** The engine has committed the package: the transport may now move it aside / mark it seen / confirm it. */
  acknowledge(pkg: IncomingPackage): Promise<void>;
  close(): Promise<void>;
}
