// Component tests: unmount what each test rendered (Testing Library does this itself only with globals).
import { cleanup } from '@testing-library/react';
import { afterEach } from 'vitest';

afterEach(cleanup);
