import { BadRequestException, Body, PipeTransform, Query } from '@nestjs/common';
import { ApiBody } from '@nestjs/swagger';
import { ZodTypeAny, z } from 'zod';
import { describeIssues } from '@core-email/contracts';
import { zodToJsonSchema } from 'zod-to-json-schema';

/** Each problem as `field: message`, so a client can show it next to the field. */
export function zodProblems(error: z.ZodError): string[] {
  return describeIssues(error.issues, 'body');
}

/** Validates (and strips or transforms) a request part with a zod schema; a mismatch is a 400 naming each field. */
export class ZodValidationPipe<T extends ZodTypeAny> implements PipeTransform<unknown, z.infer<T>> {
  constructor(private readonly schema: T) {}

  transform(value: unknown): z.infer<T> {
    const result = this.schema.safeParse(value ?? {});
    if (!result.success) throw new BadRequestException(zodProblems(result.error));
    return result.data;
  }
}

export const ZodBody = <T extends ZodTypeAny>(schema: T) => Body(new ZodValidationPipe(schema));
export const ZodQuery = <T extends ZodTypeAny>(schema: T) => Query(new ZodValidationPipe(schema));

/** Documents a zod-validated body in OpenAPI from the same schema that validates it. */
export function ApiZodBody(schema: ZodTypeAny): MethodDecorator {
  // The cast keeps TypeScript from expanding zod's deep generic types here.
  const toJson = zodToJsonSchema as (s: unknown, o: object) => Record<string, unknown>;
  const jsonSchema = toJson(schema, { target: 'openApi3', $refStrategy: 'none' });
  return ApiBody({ schema: jsonSchema });
}
