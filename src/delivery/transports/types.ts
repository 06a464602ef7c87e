// The transport interface: hands one pre-built raw message to a route and reports the outcome.
import type { SendResult } from '../classify.js';

export interface OutgoingMessage {
  workspaceId: number;
  campaignId: number | null;
  deliveryId: number | null;
  /** Envelope sender (Return-Path, the VERP address). */
  envelopeFrom: string;
  /** Envelope recipient: exactly one. */
  envelopeTo: string;
  subject: string;
  raw: string;
}

export interface Transport {
  readonly name: string;
  /** Never throws for a delivery failure: returns a classified result instead. */
  send(message: OutgoingMessage): Promise<SendResult>;
  close(): Promise<void>;
}
