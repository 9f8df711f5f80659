import { z } from 'zod';

/** POST /api/mail/audit takes no options: an empty object (or no body); any field is refused. */
export const requestAuditBodySchema = z.object({}).strict();

/** GET /api/mail/audit takes no query parameters. */
export const auditQuerySchema = z.object({}).strict();
