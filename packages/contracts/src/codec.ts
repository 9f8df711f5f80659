import { MESSAGE_SCHEMAS, MessageOf } from './messages';
import type { TopicName } from './topics';
import { describeIssues } from './zod-issues';

/** A Kafka message that does not match its topic's contract. Never retried: it goes to the DLQ. */
export class ContractError extends Error {
  constructor(
    readonly topic: string,
    readonly problems: string[],
  ) {
    super(`invalid ${topic} message: ${problems.join('; ')}`);
    this.name = 'ContractError';
  }
}

function parse<T extends TopicName>(topic: T, value: unknown): MessageOf<T> {
  const schema = MESSAGE_SCHEMAS[topic];
  if (!schema) throw new ContractError(topic, ['unknown topic']);
  const result = schema.safeParse(value);
  if (!result.success) throw new ContractError(topic, describeIssues(result.error.issues, '(message)'));
  return result.data as MessageOf<T>;
}

export function encode<T extends TopicName>(topic: T, message: MessageOf<T>): Buffer {
  return Buffer.from(JSON.stringify(parse(topic, message)));
}

export function decode<T extends TopicName>(
  topic: T,
  value: Buffer | string | null | undefined,
): MessageOf<T> {
  if (value === null || value === undefined || value.length === 0) {
    throw new ContractError(topic, ['empty message value']);
  }
  let json: unknown;
  try {
    json = JSON.parse(value.toString());
  } catch {
    throw new ContractError(topic, ['value is not valid JSON']);
  }
  return parse(topic, json);
}
