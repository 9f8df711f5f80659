import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';

/** The caller's Outlook connection, as the dashboard shows it. Never carries a token. */
export class OutlookConnectionDto {
  @ApiProperty({ enum: ['not_connected', 'connected', 'reauth_required', 'disconnected'] })
  status!: 'not_connected' | 'connected' | 'reauth_required' | 'disconnected';

  @ApiPropertyOptional({ example: 'demo@contoso.test', description: 'the linked mailbox' })
  address?: string;

  @ApiPropertyOptional({ format: 'date-time', description: 'when the mailbox was last connected' })
  connectedAt?: string;
}

export class ConnectStartedDto {
  @ApiProperty({
    description: "Microsoft's sign-in page for this connect; send the browser there. Single use, 10 minutes.",
  })
  authorizeUrl!: string;
}
