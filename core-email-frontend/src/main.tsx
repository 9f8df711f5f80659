import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './app/app';
import { loadConfig } from './config';
import { takeRedirectOutcome } from './features/outlook/redirect-outcome';
import { configureApiClient } from './lib/api-client';
import './styles.css';

// Configuration is read once, before the first render, so every request uses the same API URL.
const config = await loadConfig();
configureApiClient({ apiUrl: config.apiUrl });
// Taken (and removed from the address bar) before React renders, so it is read exactly once even under
// StrictMode's double renders, and survives the detour through the log-in page if the session ended.
const outcome = takeRedirectOutcome();

createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <App config={config} outcome={outcome} />
  </StrictMode>,
);
