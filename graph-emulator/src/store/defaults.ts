// The default app registration and demo mailbox the local stack's producer configuration depends on.
import { addDemoMeetings, seedMailbox } from './seed';
import { DEFAULT_APP, DEMO_MAILBOX, type EmulatorState } from './state';

export function ensureDefaults(state: EmulatorState, demoMessages: number): void {
  if (!state.apps.has(DEFAULT_APP.clientId))
    state.registerApp({ ...DEFAULT_APP, redirectUris: [...DEFAULT_APP.redirectUris] });
  if (!state.mailboxByAddress(DEMO_MAILBOX.address)) {
    const mailbox = state.createMailbox(DEMO_MAILBOX);
    mailbox.seededCount = seedMailbox(mailbox, demoMessages, 0);
    if (demoMessages > 0) addDemoMeetings(mailbox);
  }
}
