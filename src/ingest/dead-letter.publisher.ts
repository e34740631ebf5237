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
 * Sends messages flowscope could not read to the dead-letter topic: the original bytes as the value,
 * the reason and the source coordinates as headers, so an operator can inspect and replay them.
 */
export class DeadLetterPublisher {
  private readonly logger = new Logger(DeadLetterPublisher.name);

  constructor(
    private readonly producer: Producer,
    private readonly topic: string,
  ) {}

  async publish(letters: DeadLetter[]): Promise<void> {
    if (letters.length === 0) return;
    for (const l of letters) {
      this.logger.warn(`dead-lettered ${l.topic}[${l.partition}]@${l.offset}: ${l.reason}`);
    }
    await this.producer.send({
      topic: this.topic,
      acks: -1,
      messages: letters.map((l) => ({
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
  }
}
