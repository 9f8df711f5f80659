/**
 * The one place the shared test helpers read the environment: the stack's ports and addresses (scripts/local-env.sh
 * or npm test set them) and what child processes need from their parent (PATH, NODE_EXTRA_CA_CERTS). The
 * services themselves read theirs only in their config modules.
 */
export const testProcessEnv: NodeJS.ProcessEnv = process.env;
