/// <reference types="vite/client" />

interface ImportMetaEnv {
  /** Base URL of the producer API, baked in at build time. Overridden at run time by /config.json. */
  readonly VITE_API_URL?: string;
}

interface ImportMeta {
  readonly env: ImportMetaEnv;
}
