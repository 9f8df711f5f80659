import type { INestApplication } from '@nestjs/common';
import { DocumentBuilder, OpenAPIObject, SwaggerModule } from '@nestjs/swagger';

/** The API's OpenAPI document, built from the controllers' decorators (the dashboard's types come from it). */
export function createOpenApiDocument(app: INestApplication): OpenAPIObject {
  return SwaggerModule.createDocument(
    app,
    new DocumentBuilder()
      .setTitle('Core Email System API')
      .setDescription(
        'Accounts, Outlook connection, the Graph webhook, the read API over the synced mailbox and its ' +
          'completeness audit.',
      )
      .setVersion('0.1.0')
      .addBearerAuth()
      .build(),
  );
}

/** OpenAPI at /api/docs (UI) and /api/docs-json: every endpoint is documented through its decorators. */
export function setupOpenApi(app: INestApplication): void {
  SwaggerModule.setup('api/docs', app, createOpenApiDocument(app), { jsonDocumentUrl: 'api/docs-json' });
}
