/** A Redis stream consumer's counters. */
export interface RedisStreamMetrics {
  /** `starting` (creating the group, connecting), `reading`, `stopping` (draining), `stopped`. */
  state: 'starting' | 'reading' | 'stopping' | 'stopped'
  /** New entries read (`XREADGROUP >`). */
  read: number
  /** This consumer's own pending entries read again at start (left by an earlier run under the same name). */
  reread: number
  /** Entries taken over from idle consumers (`XAUTOCLAIM`). */
  claimed: number
  /** Entries acknowledged after their batch was flushed. */
  acked: number
  /** XACK commands sent (each acknowledges many entries). */
  ackCalls: number
  /** Entries whose item was dead-lettered by the port; they stay pending for redelivery until `maxDeliveries`. */
  failed: number
  /** Entries the port did not accept (it was stopping); they stay pending. */
  notAccepted: number
  /** Entries moved to the dead-letter stream. */
  deadLettered: number
  /** Entries read and not acknowledged yet (in the port, or waiting for their XACK). */
  held: number
  /** The group's pending entries (all consumers), as last read. */
  pending: number
  /** Entries in the stream not yet delivered to the group, as last read. */
  lag: number
  /** Commands of the read loop that failed (and were tried again). */
  errors: number
}
