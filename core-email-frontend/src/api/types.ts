// The producer's request and response shapes the dashboard uses, written by hand for now.
// A later issue generates them from the producer's OpenAPI document (/api/docs); keep this file the only
// place they are spelled out so that swap touches one import path.

export interface User {
  id: string;
  email: string;
  userName: string;
  /** ISO 8601. */
  createdAt: string;
}

export interface SignUpInput {
  email: string;
  userName: string;
  password: string;
}

export interface SignUpResponse {
  user: User;
}

export interface LogInInput {
  email: string;
  password: string;
}

export interface LogInResponse {
  accessToken: string;
  tokenType: 'Bearer';
  /** Seconds until the access token expires. */
  expiresIn: number;
  user: User;
}

export interface ChangePasswordInput {
  currentPassword: string;
  newPassword: string;
}

export type OutlookStatus = 'not_connected' | 'connected' | 'reauth_required' | 'disconnected';

export interface OutlookConnection {
  status: OutlookStatus;
  /** The Microsoft mailbox address, once one was linked. */
  address?: string;
  /** ISO 8601. */
  connectedAt?: string;
}

export interface ConnectOutlookResponse {
  authorizeUrl: string;
}

/** Every error the producer answers with. `message` names the field: "password: must be at least 8 characters". */
export interface ApiErrorBody {
  statusCode: number;
  error: string;
  message: string | string[];
}
