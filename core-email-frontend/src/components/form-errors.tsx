// The messages of a failed submit that belong to no field (wrong credentials, throttling, a 409...).
import { Banner } from './banner';

export function FormErrors({ messages }: { messages: string[] }) {
  if (messages.length === 0) return null;
  return (
    <Banner tone="error" testId="form-error">
      {messages.length === 1 ? (
        messages[0]
      ) : (
        <ul>
          {messages.map((message) => (
            <li key={message}>{message}</li>
          ))}
        </ul>
      )}
    </Banner>
  );
}
