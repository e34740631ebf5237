import { Logger } from '@nestjs/common';
import { Producer } from 'kafkajs';

export interface DeadLetter {
  topic: string;
  partition: number;
  offset: string;
  key: Buffer | null;
  value: Buffer | null;
  reason: string;
}

/**
 * Bytes per produce request: half the broker's default `message.max.bytes` (1 MiB), leaving room
 * for the headers and the record format's own overhead.
 */
const REQUEST_BYTES = 512 * 1024;
/** Headers' names and the record format's lengths, offsets and timestamps, roughly. */
const RECORD_OVERHEAD_BYTES = 160;

/**
 * Sends messages flowscope could not read to the dead-letter topic: the original bytes as the value,
 * the reason and the source coordinates as headers, so an operator can inspect and replay them.
 */
export class DeadLetterPublisher {
  private readonly logger = new Logger(DeadLetterPublisher.name);

  constructor(
    private readonly producer: Producer,
    private readonly topic: string,
  ) {}

  /**
   * Sends `pending` in produce requests of at most REQUEST_BYTES, removing each request's letters
   * from it once the broker took them: a retry after a failure goes on from there, so no letter is
   * sent twice and a flood of large bad messages never makes one request over the broker's limit.
   */
  async publish(pending: DeadLetter[]): Promise<void> {
    while (pending.length > 0) {
      let bytes = 0;
      let count = 0;
      while (count < pending.length) {
        const l = pending[count];
        const size = (l.key?.length ?? 0) + (l.value?.length ?? 0) + Math.min(l.reason.length, 4096) + l.topic.length + RECORD_OVERHEAD_BYTES;
        if (count > 0 && bytes + size > REQUEST_BYTES) break;
        bytes += size;
        count++;
      }
      const request = pending.slice(0, count);
      await this.producer.send({
        topic: this.topic,
        acks: -1,
        messages: request.map((l) => ({
          key: l.key,
          value: l.value,
          headers: {
            'flowscope-reason': l.reason.slice(0, 4096),
            'flowscope-source-topic': l.topic,
            'flowscope-source-partition': String(l.partition),
            'flowscope-source-offset': l.offset,
          },
        })),
      });
      for (const l of request) this.logger.warn(`dead-lettered ${l.topic}[${l.partition}]@${l.offset}: ${l.reason}`);
      pending.splice(0, count);
    }
  }
}
