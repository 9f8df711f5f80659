// Graph-shaped success responses: OData content type, OData-Version and Preference-Applied.
import type { Response } from 'express';
import { JSON_CONTENT_TYPE } from './serialize';

export function sendGraph(
  res: Response,
  status: number,
  body: unknown,
  preferenceApplied: string[] = [],
): void {
  res.status(status);
  res.setHeader('Content-Type', JSON_CONTENT_TYPE);
  res.setHeader('OData-Version', '4.0');
  if (preferenceApplied.length > 0) res.setHeader('Preference-Applied', preferenceApplied.join(', '));
  res.end(JSON.stringify(body));
}

/** sendGraph for a body that is already JSON text (pages are serialized first to check their size). */
export function sendGraphJson(
  res: Response,
  status: number,
  json: string,
  preferenceApplied: string[] = [],
): void {
  res.status(status);
  res.setHeader('Content-Type', JSON_CONTENT_TYPE);
  res.setHeader('OData-Version', '4.0');
  if (preferenceApplied.length > 0) res.setHeader('Preference-Applied', preferenceApplied.join(', '));
  res.end(json);
}
