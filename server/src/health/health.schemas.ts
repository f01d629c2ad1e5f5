import { z } from 'zod';

export const HealthBody = z
  .object({
    status: z.literal('ok'),
    database: z.enum(['postgres', 'pglite']),
    version: z.string(),
    mode: z.enum(['demo', 'live']),
  })
  .describe('Health');
