/** The object an execution relays, read from its input (any shape the workflow accepts). */
import { normalizeInput } from '../../core/events/normalize.ts';

export interface SourceRef {
  readonly bucket: string;
  readonly key: string;
  readonly versionId?: string;
}

export function sourceOfInput(input: string | undefined): SourceRef | undefined {
  if (input === undefined) return undefined;
  try {
    const request = normalizeInput(JSON.parse(input));
    return {
      bucket: request.bucket,
      key: request.key,
      ...(request.versionId === undefined ? {} : { versionId: request.versionId }),
    };
  } catch {
    return undefined;
  }
}

/** `s3://bucket/key`. */
export function formatSource(source: SourceRef | undefined): string {
  return source === undefined ? '(unknown input)' : `s3://${source.bucket}/${source.key}`;
}
