/** Who is calling: the user, the server-side session their token is bound to, and when the token expires. */
export interface SessionUser {
  userId: string;
  sessionId: string;
  /** The token's `exp`, in epoch milliseconds: a stream opened with it ends then. */
  expiresAt: number;
}
