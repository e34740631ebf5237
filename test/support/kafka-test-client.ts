import { Kafka, logLevel, Message } from 'kafkajs';
import { TEST_BROKERS } from './test-config';

/** A plain kafkajs client for tests: produce what a dataplane would, read what flowscope wrote. */
export function testKafka(brokers = TEST_BROKERS): Kafka {
  return new Kafka({ clientId: 'flowscope-test', brokers: brokers.split(','), logLevel: logLevel.NOTHING });
}

export async function produce(topic: string, messages: Message[], brokers = TEST_BROKERS): Promise<void> {
  const producer = testKafka(brokers).producer({ allowAutoTopicCreation: true });
  await producer.connect();
  try {
    // Chunks keep each request under the broker's message size limit.
    for (let i = 0; i < messages.length; i += 200) await producer.send({ topic, messages: messages.slice(i, i + 200), acks: -1 });
  } finally {
    await producer.disconnect();
  }
}

/** Reads a topic from the beginning until `count` messages arrived (or times out). */
export async function consumeAll(topic: string, count: number, timeoutMs = 30_000) {
  const consumer = testKafka().consumer({ groupId: `reader-${topic}-${Date.now()}` });
  const got: Array<{ value: string; headers: Record<string, string>; partition: number }> = [];
  await consumer.connect();
  try {
    await consumer.subscribe({ topic, fromBeginning: true });
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`only ${got.length} of ${count} messages on ${topic}`)), timeoutMs);
      void consumer.run({
        eachMessage: async ({ message, partition }) => {
          const headers = Object.fromEntries(Object.entries(message.headers ?? {}).map(([k, v]) => [k, String(v)]));
          got.push({ value: message.value?.toString() ?? '', headers, partition });
          if (got.length >= count) {
            clearTimeout(timer);
            resolve();
          }
        },
      });
    });
  } finally {
    await consumer.disconnect();
  }
  return got;
}
