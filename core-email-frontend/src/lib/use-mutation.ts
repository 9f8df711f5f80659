// State for one form submit or button action, shaped like react-query's useMutation: `mutate` runs the
// request, `pending` is true meanwhile, a failure lands in `error` (for the form to show), success calls
// `onSuccess`. Errors are state here because showing them is the only thing a form does with them.
import { useCallback, useState } from 'react';

export function useMutation<Input, Output>(request: (input: Input) => Promise<Output>) {
  const [pending, setPending] = useState(false);
  const [error, setError] = useState<unknown>(null);

  const mutate = useCallback(
    (input: Input, { onSuccess }: { onSuccess?: (data: Output) => void } = {}) => {
      setPending(true);
      setError(null);
      request(input).then(
        (data) => {
          setPending(false);
          onSuccess?.(data);
        },
        (caught: unknown) => {
          setPending(false);
          setError(caught);
        },
      );
    },
    [request],
  );

  return { mutate, pending, error };
}
