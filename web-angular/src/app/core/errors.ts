import { CombinedGraphQLErrors } from '@apollo/client';

/** One problem the server named for one input field (extensions.fields). */
export interface FieldProblem {
  field: string;
  message: string;
}

/** A refusal from the API: its stable code, the Chinese message, and field problems if any. */
export class ApiError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly fields: FieldProblem[] = [],
    readonly extensions: Record<string, unknown> = {},
  ) {
    super(message);
    this.name = 'ApiError';
  }

  /** The message for one field, if the server named it. */
  field(name: string): string | null {
    return this.fields.find((f) => f.field === name)?.message ?? null;
  }
}

const NETWORK = '网络连接异常，请检查网络后重试';

/** Whatever Apollo, fetch or XHR threw, as an ApiError with a Chinese message. */
export function toApiError(e: unknown): ApiError {
  if (e instanceof ApiError) return e;
  if (CombinedGraphQLErrors.is(e)) {
    const first = e.errors[0];
    const ext = (first?.extensions ?? {}) as Record<string, unknown>;
    return new ApiError(
      String(ext['code'] ?? 'INTERNAL_SERVER_ERROR'),
      first?.message ?? '请求失败',
      (ext['fields'] as FieldProblem[] | undefined) ?? [],
      ext,
    );
  }
  if (isGraphQLBody(e)) {
    const first = e.errors[0]!;
    const ext = first.extensions ?? {};
    return new ApiError(
      String(ext['code'] ?? 'INTERNAL_SERVER_ERROR'),
      first.message,
      (ext['fields'] as FieldProblem[] | undefined) ?? [],
      ext,
    );
  }
  return new ApiError('NETWORK_ERROR', NETWORK);
}

function isGraphQLBody(e: unknown): e is { errors: { message: string; extensions?: Record<string, unknown> }[] } {
  return (
    typeof e === 'object' &&
    e !== null &&
    Array.isArray((e as { errors?: unknown }).errors) &&
    (e as { errors: unknown[] }).errors.length > 0
  );
}
