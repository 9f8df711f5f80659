/** Injection token of the MicrosoftSettings (msal.ts) the app's config provides. */
export const MICROSOFT_SETTINGS = Symbol('MICROSOFT_SETTINGS');
