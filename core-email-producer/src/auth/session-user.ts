/** Who is calling: the user and the server-side session their token is bound to. */
export interface SessionUser {
  userId: string;
  sessionId: string;
}
