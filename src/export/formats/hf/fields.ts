import type { ColumnType } from '../parquet-columns.js';

/** A column's shape: a scalar, a struct of fields, or a list of structs (how chat messages are stored). */
export type Field =
  | { name: string; nullable: boolean; type: ScalarType }
  | { name: string; nullable: boolean; struct: Field[] }
  | { name: string; nullable: boolean; list: Field[] };

export type ScalarType = 'string' | 'int32' | 'int64' | 'float64' | 'bool' | 'timestamp[ms]';

const SCALAR_OF: Record<ColumnType, ScalarType> = { STRING: 'string', INT32: 'int32', INT64: 'int64', DOUBLE: 'float64', BOOLEAN: 'bool', TIMESTAMP: 'timestamp[ms]' };

/** The field of one flat column of the existing Parquet tables. */
export function scalarField(name: string, type: ColumnType, nullable: boolean): Field {
  return { name, nullable, type: SCALAR_OF[type] };
}

type SchemaElement = Record<string, unknown>;

/** Parquet schema elements for a field, depth first (3-level LIST for lists, as Arrow writes them). */
export function schemaElements(field: Field): SchemaElement[] {
  const repetition_type = field.nullable ? 'OPTIONAL' : 'REQUIRED';
  if ('type' in field) return [{ name: field.name, repetition_type, ...physical(field.type) }];
  if ('struct' in field) return [{ name: field.name, repetition_type, num_children: field.struct.length }, ...field.struct.flatMap(schemaElements)];
  return [
    { name: field.name, repetition_type, converted_type: 'LIST', num_children: 1 },
    { name: 'list', repetition_type: 'REPEATED', num_children: 1 },
    { name: 'element', repetition_type: 'REQUIRED', num_children: field.list.length },
    ...field.list.flatMap(schemaElements),
  ];
}

function physical(type: ScalarType): SchemaElement {
  switch (type) {
    case 'string': return { type: 'BYTE_ARRAY', converted_type: 'UTF8' };
    case 'int32': return { type: 'INT32' };
    case 'int64': return { type: 'INT64' };
    case 'float64': return { type: 'DOUBLE' };
    case 'bool': return { type: 'BOOLEAN' };
    // Said both ways: readers that know only converted types take TIMESTAMP_MILLIS as UTC, and
    // the logical type says so to the others (DuckDB: TIMESTAMP WITH TIME ZONE; Arrow: tz=UTC).
    case 'timestamp[ms]': return { type: 'INT64', converted_type: 'TIMESTAMP_MILLIS', logical_type: { type: 'TIMESTAMP', isAdjustedToUTC: true, unit: 'MILLIS' } };
  }
}

/**
 * A scalar's `dtype` on the card: Arrow's name for what the file holds. Times are instants in
 * UTC, so `datasets` must keep their zone when it casts to the card (`timestamp[ms]` alone
 * would drop it).
 */
const DTYPE_OF: Record<ScalarType, string> = { string: 'string', int32: 'int32', int64: 'int64', float64: 'float64', bool: 'bool', 'timestamp[ms]': 'timestamp[ms, tz=UTC]' };

/** The field as a Hugging Face `features` entry of a dataset card (`dtype`, `struct`, or `list` of struct). */
export function featureOf(field: Field): Record<string, unknown> {
  if ('type' in field) return { name: field.name, dtype: DTYPE_OF[field.type] };
  if ('struct' in field) return { name: field.name, struct: field.struct.map(featureOf) };
  return { name: field.name, list: field.list.map(featureOf) };
}
