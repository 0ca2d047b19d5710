import { GraphQLScalarType, Kind } from 'graphql';
import { DateTimeResolver, JSONObjectResolver } from 'graphql-scalars';
import GraphQLUpload from 'graphql-upload/GraphQLUpload.mjs';

/** `true` when `s` is a real calendar date written `YYYY-MM-DD`. */
export function isCalendarDate(s: string): boolean {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(s);
  if (!m) return false;
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const date = new Date(Date.UTC(y, mo - 1, d));
  return date.getUTCFullYear() === y && date.getUTCMonth() === mo - 1 && date.getUTCDate() === d;
}

function parseDate(value: unknown): string {
  if (typeof value !== 'string' || !isCalendarDate(value)) {
    throw new TypeError(`Date 须为 YYYY-MM-DD 格式的日期，收到 ${JSON.stringify(value)}`);
  }
  return value;
}

/**
 * `Date`: a calendar date without time or zone, `YYYY-MM-DD` (ID validity, birth dates).
 * Kept as a string in code so no time zone can shift it by a day.
 */
export const DateScalar = new GraphQLScalarType<string, string>({
  name: 'Date',
  description: 'A calendar date, YYYY-MM-DD',
  serialize: (v) => {
    if (v instanceof Date) return v.toISOString().slice(0, 10);
    return parseDate(v);
  },
  parseValue: parseDate,
  parseLiteral: (ast) => {
    if (ast.kind !== Kind.STRING) throw new TypeError('Date 须为 YYYY-MM-DD 格式的字符串');
    return parseDate(ast.value);
  },
});

/** `DateTime`: an instant, ISO 8601 with zone (graphql-scalars). */
export const DateTimeScalar = DateTimeResolver;
/** `JSONObject`: an arbitrary JSON object (graphql-scalars). */
export const JSONObjectScalar = JSONObjectResolver;
/** `Upload`: a file of a GraphQL multipart request (graphql-upload). */
export const UploadScalar: GraphQLScalarType = GraphQLUpload;

/** Scalars the public contract names; all of them are in the schema even before a field uses them. */
export const CONTRACT_SCALARS: GraphQLScalarType[] = [DateScalar, DateTimeScalar, JSONObjectScalar, UploadScalar];
